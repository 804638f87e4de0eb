// The main journeys of a person in a real browser (headless Chromium):
// finding a service by a Chinese fragment and by pinyin and reading its
// guide; the home page in Chinese, registration with a mistake corrected,
// the profile, logging out and in again, the English pages, and a
// phone-sized screen. Starts its own hall on a free loopback port.
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

const dir = mkdtempSync(join(tmpdir(), 'onehall-browser-'));
const small = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'catalog', 'small.json');
execFileSync(bin, ['import', small, '--data', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const hall = spawn(bin, ['serve', '--listen', `127.0.0.1:${port}`, '--data', dir,
                         '--access-log', 'off', '--log-level', 'warn'], { stdio: 'inherit' });
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
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  // Console errors other than the status of a refused form (a 4xx answer is
  // the point of that step): CSP violations and script errors count.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(base + '/');
  check((await page.title()).includes('佛山市网上办事大厅'), 'home page title in Chinese');
  check(await page.locator('html[lang="zh-CN"]').count() === 1, 'html lang zh-CN');

  // Finding a service: a two-character fragment, then the guide.
  await page.getByLabel('事项名称或关键词').fill('执照');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForURL('**/items?q=*');
  await page.getByRole('link', { name: '企业营业执照变更登记' }).click();
  await page.waitForURL('**/items/440600-SCJG-0001');
  check((await page.textContent('h1')) === '企业营业执照变更登记', 'the guide of the item found');
  const glance = await page.textContent('.glance');
  for (const q of ['要交什么材料', '材料怎样核验', '依据什么规定', '多少天办完'])
    check(glance.includes(q), 'the guide answers: ' + q);
  check((await page.textContent('table.materials')).includes('窗口核验原件'), 'how a material is checked');
  if (shots) await page.screenshot({ path: join(shots, 'guide.png'), fullPage: true });
  // By pinyin initials from the results page's own box, then a facet.
  await page.goto(base + '/items');
  await page.getByLabel('事项名称或关键词').fill('jzz');
  await page.getByRole('button', { name: '搜索' }).click();
  await page.waitForURL('**/items?q=jzz');
  check(await page.getByRole('link', { name: '居住证申领' }).count() === 1, 'found by pinyin initials');
  await page.goto(base + '/items');
  await page.locator('.facets').getByRole('link', { name: /佛山市公安局/ }).click();
  check((await page.textContent('#h-results')).includes('共 2 个事项'), 'a department facet narrows the list');
  if (shots) await page.screenshot({ path: join(shots, 'results.png'), fullPage: true });
  await page.goto(base + '/');

  await page.getByRole('link', { name: '注册' }).first().click();
  await page.waitForURL('**/register');
  const id = idNumber('19930607', 18);
  const wrong = id.slice(0, 17) + (id[17] === '1' ? '2' : '1');
  await page.getByLabel('姓名').fill('欧阳·明');
  await page.getByLabel('居民身份证号码').fill(wrong);
  await page.getByLabel('手机号码').fill('13912345678');
  await page.getByLabel('密码', { exact: true }).fill('browser-pass-1');
  await page.getByLabel('再次输入密码').fill('browser-pass-1');
  await page.getByRole('button', { name: '注册' }).click();
  const idField = page.getByLabel('居民身份证号码');
  check(await idField.getAttribute('aria-invalid') === 'true', 'wrong check digit marked on the field');
  check((await page.locator('#e-id_number').textContent()).includes('校验位'), 'message next to the field');
  check(await page.getByLabel('姓名').inputValue() === '欧阳·明', 'typed name kept');
  if (shots) await page.screenshot({ path: join(shots, 'register-error.png'), fullPage: true });

  await idField.fill(id);
  await page.getByLabel('密码', { exact: true }).fill('browser-pass-1');
  await page.getByLabel('再次输入密码').fill('browser-pass-1');
  await page.getByRole('button', { name: '注册' }).click();
  await page.waitForURL('**/profile');
  check((await page.textContent('main')).includes(id), 'own ID number shown whole on the profile');
  check((await page.textContent('header')).includes('欧阳·明'), 'name in the header');
  if (shots) await page.screenshot({ path: join(shots, 'profile.png'), fullPage: true });

  await page.getByRole('button', { name: '退出' }).click();
  await page.waitForURL(base + '/');
  await page.goto(base + '/profile');
  check(page.url().includes('/login'), 'profile asks for login after logout');
  await page.getByLabel('账号').fill('13912345678');
  await page.getByLabel('密码').fill('browser-pass-1');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL('**/profile');
  check(page.url().endsWith('/profile'), 'logged in again by phone number');

  // Applying online for a service whose materials the government already
  // holds: from its guide, without a single upload; then the receipt and
  // "my cases".
  await page.goto(base + '/items/440600-GA-0001');
  await page.getByRole('link', { name: '在线申请' }).click();
  await page.waitForURL('**/items/440600-GA-0001/apply');
  for (const [i, v] of [[0, 'certificate'], [1, 'government_data']]) {
    const sel = page.locator(`select[name="materials[${i}]"]`);
    if (await sel.count()) await sel.selectOption(v);
  }
  await page.getByRole('button', { name: '提交申请' }).click();
  await page.waitForURL('**/cases/*/receipt');
  const number = (await page.textContent('.case-number')).trim();
  check(/^\d{4}-\d{4}-\d{4}$/.test(number.replace(/\s+/g, '')) || /\d{4}-\d{4}-\d{4}/.test(number),
        'a case number readable over the phone: ' + number);
  if (shots) await page.screenshot({ path: join(shots, 'receipt.png'), fullPage: true });
  await page.goto(base + '/cases');
  check((await page.textContent('main')).includes('居住证申领'), 'the case is in my cases');

  await page.goto(base + '/profile');
  await page.getByRole('link', { name: 'English' }).click();
  check(await page.locator('html[lang="en"]').count() === 1, 'English after the language switch');
  check((await page.textContent('h1')).includes('My account'), 'profile title in English');

  const phone = await browser.newContext({ locale: 'zh-CN', viewport: { width: 360, height: 740 } });
  const p2 = await phone.newPage();
  await p2.goto(base + '/login');
  const width = await p2.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `no horizontal scrolling on a 360 px phone (${width})`);
  for (const path of ['/items/440600-GA-0002', '/items?q=%E8%AF%81', '/stats/depth']) {
    await p2.goto(base + path);
    const w = await p2.evaluate(() => document.documentElement.scrollWidth);
    check(w <= 360, `no horizontal scrolling of ${path} on a phone (${w})`);
  }
  if (shots) await p2.screenshot({ path: join(shots, 'login-phone.png'), fullPage: true });
  check(errors.length === 0, 'no errors in the browser console: ' + errors.join('; '));
} catch (e) {
  failures++;
  console.error('FAIL: ' + (e && e.stack || e));
} finally {
  if (browser) await browser.close();
  hall.kill('SIGTERM');
  await new Promise((r) => hall.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${passes} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
