// Helpers for the console scripts: log in and out as a person of an agency.
import fs from 'node:fs';
import { check, clickAndLoad } from './browser.mjs';

export const password = process.env.PASSWORD;

// Logs in at `base` and waits for 待办.
export async function login(page, base, login, pass = password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('账号').fill(login);
  await page.getByLabel('密码').fill(pass);
  await clickAndLoad(page, page.getByRole('button', { name: '登录' }), `${base}/`);
  check((await page.locator('h1').first().innerText()).includes('待办'), 'no 待办 after login');
}

export async function logout(page) {
  await page.getByRole('button', { name: '退出' }).click();
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
