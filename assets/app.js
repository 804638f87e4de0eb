/* onehall: progressive enhancement only. Every page works without this
 * file (it is loaded with defer from 'self', as the Content-Security-Policy
 * requires); where it runs it adds two comforts:
 * 1. a form is sent once: a second tap while the server is still hashing a
 *    password would otherwise register twice and answer "already taken";
 * 2. after a refused form the focus moves to the error summary, so that
 *    keyboard and screen-reader users start where the problem is told;
 * 3. a [data-print] button prints the page (a guide); without this file
 *    the browser's own print command does the same. */
(function () {
  'use strict';
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form.getAttribute('data-sent')) {
      ev.preventDefault();
      return;
    }
    form.setAttribute('data-sent', '1');
    var button = form.querySelector('button[type=submit]');
    if (button) button.setAttribute('aria-disabled', 'true');
  });
  /* A page shown again from the back/forward cache may be sent again. */
  window.addEventListener('pageshow', function () {
    var sent = document.querySelectorAll('form[data-sent]');
    for (var i = 0; i < sent.length; i++) {
      sent[i].removeAttribute('data-sent');
      var button = sent[i].querySelector('button[aria-disabled]');
      if (button) button.removeAttribute('aria-disabled');
    }
  });
  document.addEventListener('click', function (ev) {
    if (ev.target.closest && ev.target.closest('[data-print]')) window.print();
  });
  var summary = document.getElementById('form-error');
  if (summary) summary.focus();
})();
