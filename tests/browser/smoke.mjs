// The browser chain end to end, without the console: smoke_test.cc serves a
// small Chinese page with a form at SMOKE_URL; this fills it in, submits it
// and checks the Chinese answer, then saves smoke.png.
// 浏览器测试链路冒烟测试：填写中文表单、提交、核对结果并截图。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';

const url = process.env.SMOKE_URL;
check(url, 'SMOKE_URL is not set');

const { page, close } = await launch();

await step('打开登记页 / open the registration page', async () => {
  await page.goto(url);
  check((await page.title()) === '信访登记（测试页）', `title is "${await page.title()}"`);
  const env = await page.evaluate(() => ({
    language: navigator.language,
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    width: window.innerWidth,
  }));
  check(env.language === 'zh-CN', `navigator.language is ${env.language}`);
  check(env.zone === 'Asia/Shanghai', `time zone is ${env.zone}`);
  check(env.width === 1366, `viewport width is ${env.width}`);
});

await step('填写表单 / fill in the form', async () => {
  await page.getByLabel('姓名').fill('张三');
  await page.getByLabel('接收机关').selectOption({ label: '上州区人民检察院' });
  await page.getByLabel('诉求内容').fill('请求依法处理拖欠工资问题');
  await shot(page, 'smoke-form');
});

await step('提交 / submit', async () => {
  await clickAndLoad(page, page.getByRole('button', { name: '提交登记' }), '**/submit');
});

await step('核对结果 / check the answer', async () => {
  const text = await page.locator('#result').innerText();
  check(text.includes('登记成功'), `no 登记成功 in "${text}"`);
  check(text.includes('张三'), `no name in "${text}"`);
  check(text.includes('上州区人民检察院'), `no agency in "${text}"`);
  check(text.includes('请求依法处理拖欠工资问题'), `no content in "${text}"`);
});

await shot(page, 'smoke');
await close();
console.log('冒烟测试通过 / smoke test passed');
