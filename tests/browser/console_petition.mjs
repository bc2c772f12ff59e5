// A petition walked through the console by the people who handle it (see
// console_test.cc): register, accept with a handler, reply from 待办,
// transfer to the court, and the deadline turning red on the drill clock.
// 信访事项全流程：登记、受理分流、承办人答复、移送法院、超期标红。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout, flash, moveClock } from './lib/console.mjs';

const office = process.env.OFFICE_URL;
const court = process.env.COURT_URL;
const { page, close } = await launch();

async function register(matter, petitioner) {
  await page.goto(`${office}/petitions/new`);
  await page.getByLabel('信访人').fill(petitioner);
  await page.getByLabel('联系方式（电话或地址）').fill('13800138000');
  await page.locator('textarea[name=matter]').fill(matter);
  await clickAndLoad(page, page.getByRole('button', { name: '登记' }), '**/petitions/item?no=*');
  const no = new URL(page.url()).searchParams.get('no');
  check(no && no.startsWith('信-'), `no ledger number in ${page.url()}`);
  return no;
}

let first, second;
await step('登记员登录并登记，缺少事项时标红 / the registrar registers; a missing matter is marked', async () => {
  await login(page, office, 'dengji');
  await shot(page, 'work-registrar');
  await clickAndLoad(page, page.getByRole('link', { name: '信访台账' }));
  await clickAndLoad(page, page.getByRole('link', { name: '＋ 登记信访' }));
  await page.getByLabel('信访人').fill('张某');
  await clickAndLoad(page, page.getByRole('button', { name: '登记' }));
  check(await page.locator('textarea[name=matter].invalid').count() === 1, 'matter is not marked red');
  check((await page.locator('#form-error').innerText()).includes('信访事项'), 'the error does not name 信访事项');
  await shot(page, 'register-invalid');
  first = await register('反映拖欠工资一案执行款长期未到位', '张某');
  check((await flash(page)).includes('已登记'), 'no 已登记 flash');
  await shot(page, 'item-registered');
  second = await register('对派出所出警处理不服', '刘某');
  await logout(page);
});

await step('部门负责人受理并指定承办人 / the head accepts it and names the handler', async () => {
  await login(page, office, 'fuze');
  await page.goto(`${office}/petitions/item?no=${encodeURIComponent(first)}`);
  await page.locator('details:has(form[data-action=accept]) summary').click();
  const form = page.locator('form[data-action=accept]');
  await form.locator('select[name=handler]').selectOption({ label: '李承办（办信科）' });
  await form.locator('textarea[name=note]').fill('属本机关职权范围，予以受理');
  await clickAndLoad(page, form.getByRole('button'), '**/petitions/item?no=*');
  check((await flash(page)).includes('已办理'), `flash is "${await flash(page)}"`);
  check((await page.locator('#item-status').innerText()).includes('受理'), 'status is not 已受理');
  const history = await page.locator('#history').innerText();
  check(history.includes('赵科长'), `the history does not name the head: ${history}`);
  await shot(page, 'item-accepted');
});

await step('部门负责人将另一件移送法院 / the head transfers the other item to the court', async () => {
  await page.goto(`${office}/petitions/item?no=${encodeURIComponent(second)}`);
  await page.locator('details:has(form[data-action=transfer]) summary').click();
  const form = page.locator('form[data-action=transfer]');
  await form.locator('select[name=to_agency]').selectOption({ label: '上州区人民法院' });
  await form.locator('textarea[name=note]').fill('涉及法院执行事项，依法移送');
  await clickAndLoad(page, form.getByRole('button'), '**/petitions/item?no=*');
  check((await flash(page)).includes('已办理'), `flash is "${await flash(page)}"`);
  check((await page.locator('#responsible').innerText()).includes('法院'), 'the court is not responsible');
  await logout(page);
});

await step('承办人在待办中看到并答复 / the handler finds it in 待办 and replies', async () => {
  await login(page, office, 'chengban');
  const row = page.locator(`#work-items tr[data-ledger-no="${first}"]`);
  check(await row.count() === 1, `${first} is not in the handler's 待办`);
  await shot(page, 'work');
  await clickAndLoad(page, row.getByRole('link'));
  await page.locator('details:has(form[data-action=procedural_reply]) summary').click();
  const form = page.locator('form[data-action=procedural_reply]');
  await form.locator('select[name=channel]').selectOption('短信告知');
  await form.locator('textarea[name=note]').fill('已受理，将于60日内办结答复');
  await clickAndLoad(page, form.getByRole('button'), '**/petitions/item?no=*');
  check((await flash(page)).includes('已办理'), `flash is "${await flash(page)}"`);
  const history = await page.locator('#history').innerText();
  check(history.includes('承办人 李承办'), `the history does not name the handler: ${history}`);
  await shot(page, 'item');
  await logout(page);
});

await step('法院的人员看到移送来的事项 / the court sees the transferred item', async () => {
  await login(page, court, 'fuze');
  const row = page.locator(`#work-items tr[data-ledger-no="${second}"]`);
  check(await row.count() === 1, `${second} is not in the court's 待办`);
  await clickAndLoad(page, row.getByRole('link'));
  const history = await page.locator('#history').innerText();
  check(history.includes('移送') && history.includes('赵科长'), `history: ${history}`);
  await shot(page, 'court-transferred');
});

await step('期限届满后待办标红 / past its deadline the item turns red', async () => {
  moveClock(70 * 24 * 3600 * 1000);
  await page.goto(`${court}/`);
  const row = page.locator(`#work-items tr[data-ledger-no="${second}"]`);
  check(await row.count() === 1, `${second} left the court's 待办`);
  check((await row.getAttribute('class')).includes('overdue'), `row class is "${await row.getAttribute('class')}"`);
  const due = await row.locator('td.due').innerText();
  const days = Number((due.match(/已超期 (\d+) 天/) || [])[1]);
  check(days >= 50, `the overdue days are counted on the ledger's clock: "${due}"`);
  const color = await row.locator('td.due').evaluate((td) => getComputedStyle(td).color);
  check(color === 'rgb(185, 28, 28)', `the due cell is ${color}, not red`);
  await shot(page, 'work-overdue');
  moveClock(0);
});

await close();
console.log('通过 / passed');
