// The main journey of an application in a real browser (headless Chromium),
// two people at once: a citizen who has never seen the hall finds 出生登记
// (440600-GA-0002, FS-GA), registers, applies online with one file uploaded
// and the other materials by e-certificate and government data, and sees a
// case number and a date from the start; a clerk of FS-GA finds the case on
// the workbench and asks for a supplement; the citizen hears of it, answers
// with a new upload; the clerk accepts, reviews, approves and delivers the
// result; the citizen's case page then shows the result and every step.
// Starts its own hall on a free loopback port (docs/applying.md,
// docs/workbench.md).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, idNumber } from './lib.mjs';

const bin = process.argv[2];
const shots = process.env.ONEHALL_SHOTS; // optional: directory for screenshots
let failures = 0, passes = 0;
function check(cond, what) {
  if (cond) { passes++; } else { failures++; console.error('FAIL: ' + what); }
}
async function shot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
}

// A small PDF: the locker judges the type from the bytes ("%PDF-").
function pdf(marker) {
  return Buffer.from('%PDF-1.4\n% ' + marker + '\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
}

// The text of the <dd> after the first <dt> reading exactly label.
async function fact(page, label, scope) {
  const dt = (scope || page).locator('dl.facts dt').filter({ hasText: new RegExp('^' + label + '$') });
  if (!(await dt.count())) return null;
  return ((await dt.first().locator('xpath=following-sibling::dd[1]').textContent()) || '').trim();
}

// The value of the option of select whose text holds text ('' when none).
async function optionValue(select, text) {
  const opt = select.locator('option', { hasText: text });
  return (await opt.count()) ? await opt.first().getAttribute('value') : '';
}

const DATE = /\d{4}-\d{2}-\d{2}/;
const item = { code: '440600-GA-0002', name: '出生登记' };
const clerk = { username: 'ga-clerk', name: '黎晓岚', password: 'clerk-pass-2026' };
const citizen = { name: '区嘉欣', id: idNumber('19910214', 36), phone: '13826541937',
                  password: 'citizen-pass-7' };
const files = { first: '出生医学证明.pdf', second: '出生医学证明-清晰版.pdf' };
const note = '出生医学证明扫描件模糊，看不清编号，请上传清晰的完整扫描件';

const dir = mkdtempSync(join(tmpdir(), 'onehall-browser-'));
const small = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'catalog', 'small.json');
execFileSync(bin, ['import', small, '--data', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync(bin, ['user', 'create', '--username', clerk.username, '--name', clerk.name,
                   '--department', 'FS-GA', '--role', 'staff', '--password-stdin', '--data', dir],
             { input: clerk.password + '\n', stdio: ['pipe', 'ignore', 'inherit'] });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const hall = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data', dir,
                         '--access-log', 'off', '--log-level', 'warn'], { stdio: 'inherit' });
const started = Date.now();
let browser;
try {
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(base + '/healthz'); if (r.ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const errors = [];
  // Console errors other than the status of a refused form (a 4xx answer is
  // the point of that step): CSP violations and script errors count.
  function watch(page, who) {
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(who + ': ' + m.text());
    });
    page.on('pageerror', (e) => errors.push(who + ': ' + String(e)));
  }
  const citizenCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const clerkCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const cp = await citizenCtx.newPage();
  const sp = await clerkCtx.newPage();
  watch(cp, 'citizen');
  watch(sp, 'clerk');

  // --- 1. The citizen: find the service, register, apply -------------------
  await cp.goto(base + '/');
  await cp.getByLabel('事项名称或关键词').fill('出生');
  await cp.getByRole('button', { name: '搜索' }).click();
  await cp.waitForURL('**/items?q=*');
  await cp.getByRole('link', { name: item.name, exact: true }).click();
  await cp.waitForURL('**/items/' + item.code);
  check((await cp.textContent('h1')) === item.name, 'the guide of ' + item.name + ' found by searching');
  const glance = await cp.textContent('.glance');
  check(glance.includes('多少天办完') && glance.includes('30 个工作日'),
        'the guide says how long it takes (statutory 30 working days)');
  await cp.getByRole('link', { name: '在线申请' }).click();
  await cp.waitForURL(/\/login\?next=/);
  check(decodeURIComponent(cp.url()).includes('next=/items/' + item.code + '/apply'),
        'an anonymous applicant is sent to log in, and back to the form after');
  await cp.getByRole('link', { name: '立即注册' }).click();
  await cp.waitForURL((u) => u.pathname === '/register');
  await cp.getByLabel('姓名').fill(citizen.name);
  await cp.getByLabel('居民身份证号码').fill(citizen.id);
  await cp.getByLabel('手机号码').fill(citizen.phone);
  await cp.getByLabel('密码', { exact: true }).fill(citizen.password);
  await cp.getByLabel('再次输入密码').fill(citizen.password);
  await cp.getByRole('button', { name: '注册' }).click();
  await cp.waitForURL((u) => u.pathname === '/profile' || u.pathname.endsWith('/apply'));
  check((await cp.textContent('header')).includes(citizen.name), 'registered and logged in');
  check(cp.url().endsWith('/items/' + item.code + '/apply'),
        'after registering, the applicant is back at the form they asked for: ' + cp.url());
  if (!cp.url().endsWith('/apply')) {
    await cp.goto(base + '/items/' + item.code);
    await cp.getByRole('link', { name: '在线申请' }).click();
    await cp.waitForURL('**/items/' + item.code + '/apply');
  }
  check((await cp.textContent('h1')) === '网上申请：' + item.name, 'the apply form of the item');
  const cover = await cp.textContent('section.coverage');
  check(cover.includes('出生医学证明：需要上传'), 'the form says which material is still to upload: ' + cover);
  check(await cp.getByLabel('申请人姓名').inputValue() === citizen.name, 'the applicant prefilled from the account');

  // Material 0: a new file through the locker, back to the form.
  await cp.getByRole('link', { name: '上传新文件到材料库（上传后回到本页）' }).click();
  await cp.waitForURL(/\/locker\?next=/);
  await cp.getByLabel('选择文件').setInputFiles({ name: files.first, mimeType: 'application/pdf',
                                                  buffer: pdf('first scan') });
  await cp.getByRole('button', { name: '上传到材料库' }).click();
  await cp.waitForURL('**/items/' + item.code + '/apply');
  const m0 = cp.getByLabel('出生医学证明', { exact: true });
  const up1 = await optionValue(m0, files.first);
  check(/^u\d+$/.test(up1), 'the uploaded file is offered for the material: ' + up1);
  if (up1) await m0.selectOption(up1);
  // The others by e-certificate / government data where the select offers it.
  for (const [i, v] of [[1, 'certificate'], [2, 'government_data']]) {
    const sel = cp.locator(`select[name="materials[${i}]"]`);
    const offered = await sel.locator(`option[value="${v}"]`).count();
    check(offered === 1, `material ${i} may be given by ${v}`);
    if (offered) await sel.selectOption(v);
  }
  await shot(cp, 'case-apply');
  await cp.getByRole('button', { name: '提交申请' }).click();
  await cp.waitForURL('**/cases/*/receipt');
  const number = cp.url().match(/\/cases\/(\d{12})\/receipt/)?.[1] || '';
  const disp = number.replace(/^(\d{4})(\d{4})(\d{4})$/, '$1-$2-$3');
  const shown = ((await cp.textContent('.case-number strong')) || '').trim();
  check(/^\d{4}-\d{4}-\d{4}$/.test(shown) && shown === disp,
        `the receipt gives the case number readable over the phone: ${shown} (${number})`);
  check(await fact(cp, '办理事项') === item.name, 'the receipt names the item');
  check(await fact(cp, '办理状态') === '已提交，待受理', 'the receipt says submitted, awaiting acceptance');
  check((await cp.textContent('section.receipt')).includes(files.first), 'the receipt lists the uploaded file');
  const promisedOnReceipt = await fact(cp, '承诺办结日期');
  check(DATE.test(promisedOnReceipt || ''),
        'the receipt gives a date to expect the result: ' + promisedOnReceipt);
  await shot(cp, 'case-receipt');
  await cp.getByRole('link', { name: '查看办理进度' }).click();
  await cp.waitForURL('**/cases/' + number);
  const dueAtStart = (await fact(cp, '法定办结期限')) || (await fact(cp, '承诺办结日期')) || '';
  check(DATE.test(dueAtStart), 'the case page gives a due date from the start: ' + dueAtStart);
  check(((await fact(cp, '办理状态')) || '').includes('已提交，待受理'), 'the case page says submitted');

  // --- 2. The clerk: the workbench, the case, a supplement request ----------
  await sp.goto(base + '/workbench');
  await sp.waitForURL(/\/login\?next=/);
  await sp.getByLabel('账号').fill(clerk.username);
  await sp.getByLabel('密码').fill(clerk.password);
  await sp.getByRole('button', { name: '登录' }).click();
  await sp.waitForURL('**/workbench');
  check((await sp.textContent('h1')) === '部门工作台', 'the clerk is on the workbench');
  check((await sp.textContent('main')).includes('佛山市公安局'), 'the workbench names the department');
  const row = sp.locator('table.cases tbody tr', { has: sp.getByRole('link', { name: disp, exact: true }) });
  check(await row.count() === 1, 'the new case is in the department\'s list: ' + disp);
  const rowText = (await row.count()) ? await row.first().textContent() : '';
  check(rowText.includes(item.name) && rowText.includes(citizen.name) && rowText.includes('已申办，待受理'),
        'the row gives the item, the applicant and the state: ' + rowText);
  await shot(sp, 'case-workbench');
  await sp.getByRole('link', { name: disp, exact: true }).click();
  await sp.waitForURL('**/workbench/cases/' + number);
  check((await sp.textContent('h1')).includes('办件 ' + disp), 'the workbench case page of the case');
  const view = sp.getByRole('link', { name: '查看 出生医学证明' });
  check(await view.count() === 1, 'the uploaded material can be viewed');
  if (await view.count()) {
    const res = await clerkCtx.request.get(base + await view.getAttribute('href'));
    const body = await res.body();
    check(res.ok() && (res.headers()['content-type'] || '').startsWith('application/pdf') &&
          body.toString('latin1').startsWith('%PDF-1.4') && body.toString('latin1').includes('first scan'),
          'the material is the file the citizen uploaded, as a PDF');
  }

  const supp = sp.getByRole('region', { name: '补正告知', exact: true });
  // Nothing ticked: refused at the field, nothing changed.
  await supp.getByRole('button', { name: '发出补正告知' }).click();
  await sp.waitForURL('**/workbench/cases/' + number + '/request_supplement');
  check((await supp.textContent()).includes('请至少选择一项需要补正的材料。'),
        'a supplement request naming nothing is refused at the materials');
  check(await fact(sp, '状态') === '已申办，待受理', 'a refused request changes nothing');
  await supp.getByLabel('出生医学证明').check();
  await supp.getByLabel('说明').fill(note);
  await supp.getByRole('button', { name: '发出补正告知' }).click();
  await sp.waitForURL(/done=request_supplement/);
  check((await sp.textContent('main')).includes('已发出补正告知，已通知申请人。'), 'the clerk is told the request went out');
  check(await fact(sp, '状态') === '补正告知，待申请人补正', 'the case waits for the supplement');
  check(await fact(sp, '需要补正的材料') === '出生医学证明', 'the workbench lists what is missing');
  await shot(sp, 'case-supplement-requested');

  // --- 3. The citizen hears of it and answers -------------------------------
  await cp.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '我的消息' }).click();
  await cp.waitForURL('**/messages');
  const msg = cp.locator('ul.messages > li', { hasText: '请补正材料：' + item.name });
  check(await msg.count() === 1, 'the message centre tells of the supplement request');
  check((await msg.count()) && (await msg.first().textContent()).includes(disp), 'the message names the case number');
  await msg.first().getByRole('link', { name: '查看详情' }).click();
  await cp.waitForURL('**/cases/' + number);
  check(((await fact(cp, '办理状态')) || '').includes('待补正材料'), 'the case page says a supplement is wanted');
  const ask = cp.getByRole('region', { name: '需要补正的材料' });
  const askText = (await ask.count()) ? await ask.textContent() : '';
  check(askText.includes('出生医学证明') && askText.includes('部门说明：' + note),
        'the case page lists what is missing with the department\'s note');
  check(/请在 \d{4}-\d{2}-\d{2} 前提交补正材料/.test(askText), 'the case page gives the date to answer by');
  await shot(cp, 'case-supplement-asked');
  await ask.getByRole('link', { name: '上传新文件到材料库（上传后回到本页）' }).click();
  await cp.waitForURL(/\/locker\?next=/);
  await cp.getByLabel('选择文件').setInputFiles({ name: files.second, mimeType: 'application/pdf',
                                                  buffer: pdf('second scan, clear') });
  await cp.getByRole('button', { name: '上传到材料库' }).click();
  await cp.waitForURL('**/cases/' + number);
  const answer = ask.getByLabel('出生医学证明');
  const up2 = await optionValue(answer, files.second);
  check(/^u\d+$/.test(up2) && up2 !== up1, 'the new file is offered for the missing material');
  if (up2) await answer.selectOption(up2);
  await ask.getByRole('button', { name: '提交补正材料' }).click();
  await cp.waitForURL(/done=supplemented/);
  check((await cp.textContent('main')).includes('补正材料已提交，部门将继续办理。'), 'the citizen is told the supplement went in');
  check(((await fact(cp, '办理状态')) || '').includes('已提交，待受理'), 'the case is back with the department');

  // --- 4. The clerk accepts, reviews, approves and delivers -----------------
  await sp.goto(base + '/workbench/cases/' + number);
  check(await fact(sp, '状态') === '已申办，待受理', 'the workbench shows the case back after the supplement');
  const matText = await sp.getByRole('region', { name: '申请材料', exact: true }).first().textContent();
  check(matText.includes(files.second) && !matText.includes(files.first),
        'the workbench shows the new file for the material');
  async function act(heading, button, action, state, done, fill) {
    const region = sp.getByRole('region', { name: heading, exact: true });
    check(await region.count() === 1, `the workbench offers "${heading}"`);
    if (!(await region.count())) return;
    if (fill) await fill(region);
    await region.getByRole('button', { name: button, exact: true }).click();
    await sp.waitForURL(new RegExp('done=' + action));
    check((await sp.textContent('main')).includes(done), `"${heading}" done: ${done}`);
    check(await fact(sp, '状态') === state, `after "${heading}" the case is ${state}`);
  }
  await act('受理', '受理', 'accept', '已受理', '已受理，开始计时。');
  const clockDue = await fact(sp, '到期日期');
  check(DATE.test(clockDue || ''), 'after acceptance the workbench gives the due date: ' + clockDue);
  await act('转入审批', '转入审批', 'review', '审批中', '已转入审批。');
  await act('准予许可', '准予许可', 'approve', '办结（准予许可）', '已作出准予许可决定。',
            (r) => r.getByLabel('说明').fill('材料齐全，准予登记'));
  await act('送达结果', '确认送达', 'deliver', '已送达', '已记录送达。',
            (r) => r.getByLabel('邮寄送达').check());
  const hist = sp.getByRole('region', { name: '办理过程', exact: true }).first();
  const steps = (await hist.locator('tbody th[scope="row"]').allTextContents()).map((s) => s.trim());
  const wantStaff = ['创建', '申办', '补正告知', '申请人补正', '受理', '转入审批', '准予许可', '送达结果'];
  check(JSON.stringify(steps) === JSON.stringify(wantStaff),
        'the workbench history holds every step in order: ' + steps.join(', '));
  check((await hist.textContent()).includes(note), 'the workbench history keeps the supplement note');
  check((await hist.textContent()).includes(clerk.name), 'the workbench history names the clerk');
  const raw = ((await hist.locator('tbody').textContent()) || '').match(/[A-Za-z_]{2,}/g);
  check(!raw, 'the workbench history reads in Chinese, no raw keys or codes: ' + (raw || []).join(', '));
  await shot(sp, 'case-workbench-done');

  // --- 5. The citizen sees the result and the whole history ----------------
  await cp.goto(base + '/cases/' + number);
  check(((await fact(cp, '办理状态')) || '').includes('结果已送达'), 'the case page says the result was delivered');
  const decision = cp.getByRole('region', { name: '办理结果', exact: true });
  check((await decision.count()) === 1 && await fact(cp, '结果', decision) === '准予',
        'the case page gives the decision: granted');
  const dueAtEnd = (await fact(cp, '法定办结期限')) || (await fact(cp, '承诺办结日期')) || '';
  check(DATE.test(dueAtEnd), 'the case page still gives the due date: ' + dueAtEnd);
  const tl = cp.locator('ol.timeline > li');
  const seen = (await tl.locator('p strong').allTextContents()).map((s) => s.trim());
  const want = ['创建草稿', '提交申请', '补正告知', '提交补正材料', '受理', '进入审批', '准予', '送达结果'];
  check(JSON.stringify(seen) === JSON.stringify(want), 'the progress lists every step in order: ' + seen.join(', '));
  const tlText = await cp.locator('ol.timeline').textContent();
  check(tlText.includes(citizen.name + '（申请人）'), 'the citizen\'s own steps carry their name');
  check(tlText.includes('部门工作人员') && !tlText.includes(clerk.name),
        'the department\'s steps say who by role, not by name');
  check(await cp.getByRole('region', { name: '评价本次服务（好差评）' }).count() === 1,
        'the concluded case may be rated');
  await shot(cp, 'case-done');
  await cp.goto(base + '/cases');
  const mine = cp.locator('table.cases tbody tr', { hasText: disp });
  check((await mine.count()) === 1 && (await mine.first().textContent()).includes('结果已送达'),
        'my cases list the case as delivered');
  await cp.goto(base + '/messages');
  check(await cp.locator('ul.messages > li', { hasText: '办理结果已送达：' + item.name }).count() === 1,
        'the message centre tells of the delivery');
  await cp.goto(base + '/access-log');
  const looked = await cp.locator('main').textContent();
  check(looked.includes(clerk.name) && looked.includes('下载材料'),
        'the citizen sees that the clerk viewed their material');

  // --- 6. Neither browser saw an error --------------------------------------
  check(errors.length === 0, 'no errors in either browser console: ' + errors.join('; '));
} catch (e) {
  failures++;
  console.error('FAIL: ' + (e && e.stack || e));
} finally {
  if (browser) await browser.close();
  if (hall.exitCode === null && hall.signalCode === null) {
    const gone = new Promise((r) => hall.on('exit', r));
    hall.kill('SIGTERM');
    await gone;
  }
  rmSync(dir, { recursive: true, force: true });
}
console.log(`case journey: ${passes} passed, ${failures} failed` +
            ` (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failures ? 1 : 0);
