// 风险预警 in the console (see console_test.cc, ConsoleRiskBrowser): a
// petition is registered, the head routes it to the handler, the handler
// fills in the risk form with the factors they found, and the case shows in
// the agency's risk book with its level, score and factors; a form with no
// factor and no "无风险" is sent back with the reason.
// 风险评估表填报与风险台账。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout, flash, moveClock } from './lib/console.mjs';

const office = process.env.OFFICE_URL;
const { page, close } = await launch();

let no;
await step('登记并受理 / register and accept', async () => {
  await login(page, office, 'dengji');
  await page.goto(`${office}/petitions/new`);
  await page.locator('textarea[name=matter]').fill('被害人家属反映赔偿未到位，生活困难');
  await clickAndLoad(page, page.getByRole('button', { name: '登记' }), '**/petitions/item?no=*');
  no = new URL(page.url()).searchParams.get('no');
  await logout(page);
});

await step('承办人填报风险评估表 / the handler files the risk form', async () => {
  await login(page, office, 'chengban');
  await clickAndLoad(page, page.getByRole('link', { name: '风险预警' }));
  const form = page.locator('#risk-form');
  await form.locator('input[name=case_key]').fill(no);
  await clickAndLoad(page, form.getByRole('button', { name: '提交评估' }), '**/risk*');
  check((await flash(page)).includes('请勾选风险因素'), `flash: ${await flash(page)}`);
  await form.locator('input[name=case_key]').fill(no);
  for (const name of ['困难群体', '被害人未获赔偿', '媒体关注']) await form.getByLabel(name).check();
  await form.locator('textarea[name=note]').fill('家属多次来访，当地媒体已有报道');
  await clickAndLoad(page, form.getByRole('button', { name: '提交评估' }), '**/risk');
  check((await flash(page)).includes('已提交风险评估表'), `flash: ${await flash(page)}`);
});

await step('风险台账显示等级与因素 / the risk book shows the level and factors', async () => {
  let row;
  for (let i = 0; i < 50; i++) {
    await page.goto(`${office}/risk`);
    row = page.locator('#risks tr', { hasText: no });
    if (await row.count()) break;
    await page.waitForTimeout(200);
  }
  check(await row.count() === 1, `${no} is not in the risk book`);
  const text = await row.innerText();
  check(text.includes('黄色') && text.includes('50') && text.includes('媒体关注'), `row: ${text}`);
  await shot(page, 'risk');
});

await step('按月份查看隐患月排查 / a month\'s screening, chosen by month', async () => {
  // A month with none, and a month written wrong: each says so.
  const choose = async (month) => {
    await page.goto(`${office}/risk`);
    await page.locator('#screening-month input[name=month]').fill(month);
    await clickAndLoad(page, page.locator('#screening-month').getByRole('button', { name: '查看' }));
  };
  await choose('2020-01');
  const none = await page.locator('#screening-error').innerText();
  check(none.includes('尚无'), `2020-01: ${none}`);
  await page.goto(`${office}/risk?month=2026-13`);
  check((await page.locator('#screening-error').innerText()).includes('月份格式'), 'a 13th month is not refused');
  check(await page.locator('#screening-month input.invalid').count() === 1, 'the month field is not red');
  // The clock moves to the 15th of next month (after its first working day):
  // the risk agent screens that month, the handler's yellow case in it.
  const now = new Date();
  const target = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 15, 4));
  const month = target.toISOString().slice(0, 7);
  moveClock(target.getTime() - now.getTime());
  await login(page, office, 'chengban');  // the session went idle with the clock
  let text = '';
  for (let i = 0; i < 50 && !text.includes(no); i++) {
    await choose(month);
    const s = page.locator('#screening');
    text = (await s.count()) ? await s.innerText() : '';
    if (!text.includes(no)) await page.waitForTimeout(300);
  }
  check(text.includes(no), `${month}'s screening does not list ${no}: ${text}`);
  check((await page.locator('h2', { hasText: '隐患月排查' }).innerText()).includes(month), 'heading without the month');
  await shot(page, 'risk-screening-month');
});

await close();
console.log('通过 / passed');
