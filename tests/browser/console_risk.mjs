// 风险预警 in the console (see console_test.cc, ConsoleRiskBrowser): a
// petition is registered, the head routes it to the handler, the handler
// fills in the risk form with the factors they found, and the case shows in
// the agency's risk book with its level, score and factors; a form with no
// factor and no "无风险" is sent back with the reason.
// 风险评估表填报与风险台账。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout, flash } from './lib/console.mjs';

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

await close();
console.log('通过 / passed');
