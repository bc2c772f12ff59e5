// Helpers for the console scripts: log in and out as a person of an agency.
import fs from 'node:fs';
import { check, clickAndLoad } from './browser.mjs';

export const password = process.env.PASSWORD;

// Logs in at `base` and waits for 待办.
export async function login(page, base, login, pass = password) {
  try {
    await page.goto(`${base}/login`);
  } catch (e) {
    // Chromium drops a load when it sees its network change (a test's
    // namespace settling) and expects it to be retried, once.
    if (!String(e).includes('ERR_NETWORK_CHANGED')) throw e;
    await page.waitForTimeout(500);
    await page.goto(`${base}/login`);
  }
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码').fill(pass);
  await clickAndLoad(page, page.getByRole('button', { name: '登录' }), `${base}/`);
  check((await page.locator('h1').first().innerText()).includes('待办'), 'no 待办 after login');
}

// Logs out; the session cookie is cleared with the same guards it was set
// with (HttpOnly, SameSite=Strict; Secure over TLS).
export async function logout(page) {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/logout');
  await page.getByRole('button', { name: '退出' }).click();
  const response = await answered;
  const cookie = (await response.allHeaders())['set-cookie'] || '';
  check(/HttpOnly/.test(cookie) && /SameSite=Strict/.test(cookie)
    && (!response.url().startsWith('https:') || /Secure/.test(cookie)), `logout cookie: ${cookie}`);
  await page.waitForURL('**/login');
}

// The flash message shown after a form.
export async function flash(page) {
  const f = page.locator('.flash').first();
  return (await f.count()) ? f.innerText() : '';
}

// Moves the drill clock all daemons of the test read ("+N" ms ahead).
export function moveClock(ms) {
  const file = process.env.CLOCK_FILE;
  fs.writeFileSync(`${file}.tmp`, `+${ms}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
