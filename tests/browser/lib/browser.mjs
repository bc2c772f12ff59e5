// Helpers for the browser test scripts (tests/browser/*.mjs): Debian's
// chromium driven by playwright-core, nothing else.
// 浏览器测试脚本的辅助函数：以 playwright-core 驱动 Debian 的 chromium。
//
// A script is started by a C++ test through RunBrowserScript
// (tests/support/browser.h), which passes the daemons' addresses as
// environment variables and sets CONCORD_TEST_OUTPUT_DIR, where the
// screenshots go. A script reads:
//
//   import { launch, step, check, shot } from './lib/browser.mjs';
//   const { page, close } = await launch();
//   await step('打开首页 / open the home page', async () => {
//     await page.goto(process.env.CONSOLE_URL);
//     check((await page.title()) === '协同平台', `title is ${await page.title()}`);
//   });
//   await shot(page, 'home');
//   await close();
//
// A failing step saves <name>-failed.png and prints the page's URL and text,
// then exits 1: the C++ test sees the exit code and the output.
//
// Environment: CONCORD_CHROMIUM (default /usr/bin/chromium),
// CONCORD_TEST_OUTPUT_DIR (default ./test-output), CONCORD_BROWSER_TIMEOUT_MS
// (each action's and navigation's timeout, default 30000),
// CONCORD_BROWSER_HEADED=1 (show the window, for a developer with a display).

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 20) {
  console.error(`失败 / FAILED: node ${process.versions.node} is too old, playwright-core needs 20 or newer`);
  process.exit(1);
}

export const outputDir = path.resolve(process.env.CONCORD_TEST_OUTPUT_DIR || 'test-output');
const chromiumPath = process.env.CONCORD_CHROMIUM || '/usr/bin/chromium';
const timeoutMs = Number(process.env.CONCORD_BROWSER_TIMEOUT_MS || 30000);

// What launch() opened last: a failing step screenshots its newest page.
let current = null;

// A file name from a step or screenshot name (Chinese stays, slashes and
// spaces do not).
function fileName(name) {
  return name.replace(/[\/\\:*?"<>|\s]+/g, '_').replace(/^_+|_+$/g, '') || 'page';
}

// Clicks `target` (a form's button or a link) and waits until the page it
// leads to has loaded and its address matches `url` (a glob or a RegExp).
// Waiting for the address alone is not enough when a form posts back to the
// page it is on: the address matches before the answer has come.
// 点击并等待新页面加载完毕（表单提交后回到同一地址时，仅等地址会过早返回）。
export async function clickAndLoad(page, target, url) {
  const loaded = page.waitForEvent('load');
  await target.click();
  await loaded;
  if (url) await page.waitForURL(url);
}

// Starts chromium headless with a fresh context (zh-CN, Asia/Shanghai,
// 1366x768, the console's self-signed certificate accepted) and one page.
// `options.context` adds to or overrides the context's options.
// Returns { browser, context, page, close }.
export async function launch(options = {}) {
  if (!fs.existsSync(chromiumPath)) {
    fail(`chromium not found at ${chromiumPath} (deploy/install-deps.sh installs it; CONCORD_CHROMIUM overrides the path)`);
  }
  const args = ['--disable-dev-shm-usage'];
  // Chromium's sandbox refuses to run as root (CI runs as root).
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: process.env.CONCORD_BROWSER_HEADED !== '1',
    args,
    timeout: 60000,
  });
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1366, height: 768 },
    ...options.context,
  });
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs);
  const page = await context.newPage();
  // The page's own errors belong in the test log.
  context.on('weberror', (e) => console.log(`页面错误 / page error: ${e.error()}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`页面控制台 / console error: ${m.text()}`);
  });
  current = { browser, context, page };
  const close = async () => {
    if (current && current.browser === browser) current = null;
    await browser.close();
  };
  return { browser, context, page, close };
}

// Saves a full-page screenshot as <CONCORD_TEST_OUTPUT_DIR>/<name>.png and
// returns its path.
export async function shot(page, name) {
  fs.mkdirSync(outputDir, { recursive: true });
  const file = path.join(outputDir, `${fileName(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`截图 / screenshot: ${file}`);
  return file;
}

// An assertion: throws (failing the step it is in) with `message` unless
// `cond` holds.
export class CheckError extends Error {}
export function check(cond, message) {
  if (!cond) throw new CheckError(message);
}

// Runs one named step, passing it the current page. On failure: saves
// <name>-failed.png, prints the page's URL and text, closes the browser and
// exits 1. Returns what `fn` returns.
export async function step(name, fn) {
  console.log(`步骤 / step: ${name}`);
  const started = Date.now();
  try {
    const result = await fn(current?.page);
    console.log(`  完成 / done (${Date.now() - started} ms)`);
    return result;
  } catch (e) {
    const what = e instanceof CheckError ? e.message : e?.stack || String(e);
    console.log(`失败 / FAILED at step "${name}" after ${Date.now() - started} ms: ${what}`);
    await reportPage(`${name}-failed`);
    await finish(1);
  }
}

// Prints a message and exits 1 (for failures outside any step).
export async function fail(message) {
  console.log(`失败 / FAILED: ${message}`);
  await reportPage('failed');
  await finish(1);
}

async function reportPage(shotName) {
  const pages = current ? current.context.pages() : [];
  const page = pages[pages.length - 1];
  if (!page) return;
  try {
    await shot(page, shotName);
  } catch (e) {
    console.log(`  (no screenshot: ${e.message})`);
  }
  try {
    console.log(`  页面地址 / page URL: ${page.url()}`);
    const text = await page.locator('body').innerText({ timeout: 5000 });
    const max = 4000;
    console.log(`  页面文字 / page text${text.length > max ? ` (first ${max} characters)` : ''}:`);
    console.log(
      text
        .slice(0, max)
        .split('\n')
        .map((l) => `  | ${l}`)
        .join('\n'),
    );
  } catch (e) {
    console.log(`  (no page text: ${e.message})`);
  }
}

async function finish(code) {
  if (current) {
    await current.browser.close().catch(() => {});
    current = null;
  }
  process.exit(code);
}

// An error outside any step (a typo in the script, a launch failure) still
// ends with a screenshot, a clear message and a non-zero exit.
// (A rejected top-level await arrives as an uncaught exception.)
for (const event of ['unhandledRejection', 'uncaughtException']) {
  process.on(event, (e) => fail(`${e?.stack || e}`));
}
