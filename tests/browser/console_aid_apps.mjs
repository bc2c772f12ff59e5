// Judicial-aid applications in the console (see console_test.cc): the
// procuratorate's aid clerk receives the joint application of a deceased
// victim's relatives (without the relatives first: the field is marked in
// red), asks once for the missing materials, finds it complete; the leader
// decides: 60,000 yuan is over the district's cap (超出上限, not 重复救助),
// granted with special approval and its reason; the clerk records the funds
// and the payment, every deadline met. The court's clerk receives another
// relative's application for the same victim and case: the check shows
// 重复救助 at once.
// 司法救助申请：近亲属共同申请、一次性告知补充材料、领导决定（超出上限须特别审批）、到账发放，
// 他机关同一被害人同一案件的申请即显示重复救助。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout, flash, moveClock } from './lib/console.mjs';

const court = process.env.COURT_URL;
const procuratorate = process.env.PROCURATORATE_URL;
const { page, close } = await launch();
page.on('dialog', (d) => d.accept());

const id = 'JC-救申-001';

async function fillApplication(fields, applicants) {
  const form = page.locator('#apply');
  for (const [name, value] of Object.entries(fields)) {
    const input = form.locator(`[name=${name}]`);
    if ((await input.getAttribute('type')) === 'checkbox') await input.check();
    else await input.fill(value);
  }
  for (const [i, a] of applicants.entries()) {
    await form.locator(`[name=a${i}_name]`).fill(a.name);
    await form.locator(`[name=a${i}_relation]`).selectOption(a.relation);
  }
  return form;
}

// Opens the step's form on the application page and submits it.
async function act(summary, fields = {}, button) {
  const details = page.locator('details.act', { hasText: summary });
  check(await details.count(), `no step 「${summary}」 offered`);
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  for (const [name, value] of Object.entries(fields)) {
    const input = details.locator(`[name=${name}]`);
    const type = await input.getAttribute('type');
    if (type === 'checkbox') await input.check();
    else if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
  await clickAndLoad(page, details.getByRole('button', { name: button }));
}

const victim = {
  application_id: id,
  name: '李建国',
  id_number: '610102195003041230',
  deceased_victim: '1',
  case_ref: '（2026）上0102刑初45号',
  crime: '故意杀人',
  materials: '救助申请书\n身份证明',
};
const relatives = [
  { name: '王桂兰', relation: '配偶' },
  { name: '李明', relation: '子女' },
];

await step('近亲属未填，申请人栏标红 / the relatives missing: marked in red', async () => {
  await login(page, procuratorate, 'jiuzhu');
  await clickAndLoad(page, page.getByRole('link', { name: '救助申请' }));
  const form = await fillApplication(victim, []);
  await clickAndLoad(page, form.getByRole('button', { name: '受理申请' }));
  check((await page.locator('#form-error').innerText()).includes('近亲属'), 'no error about the relatives');
  check(await page.locator('fieldset#applicants.invalid').count(), 'the applicants are not marked');
  check((await page.locator('#apply [name=name]').inputValue()) === '李建国', 'the form lost what was typed');
  await shot(page, 'aid-apps-missing-relatives');
});

await step('受理近亲属共同申请 / receive the relatives\' joint application', async () => {
  await page.goto(`${procuratorate}/aid/applications`);
  const form = await fillApplication(victim, relatives);
  await clickAndLoad(page, form.getByRole('button', { name: '受理申请' }), '**/aid/application?id=*');
  check((await page.locator('#app-status').innerText()).includes('已收到申请'),
        `status: ${await page.locator('#app-status').innerText()}`);
  check((await page.locator('#applicants tbody tr').count()) === 2, 'two applicants expected');
  check((await page.locator('#deadlines').innerText()).includes('一次性告知补充材料'), 'no materials deadline');
  await shot(page, 'aid-app-received');
});

await step('一次性告知补充材料，材料齐全 / materials asked once, then complete', async () => {
  await act('一次性告知补充材料', { missing: '死亡证明\n亲属关系证明' }, '告知补充材料');
  check((await flash(page)).includes('已办理'), `flash: ${await flash(page)}`);
  check((await page.locator('#app-status').innerText()).includes('待补充材料'), 'not waiting for materials');
  check(!(await page.locator('details.act', { hasText: '一次性告知补充材料' }).count()), 'asked twice?');
  check(!(await page.locator('details.act', { hasText: '决定救助' }).count()), 'a clerk may not decide');
  await act('材料齐全', {}, '确认材料齐全');
  check((await page.locator('#deadlines').innerText()).includes('作出救助决定'), 'no decision deadline');
  await shot(page, 'aid-app-complete');
  await logout(page);
});

await step('领导决定：超出上限须特别审批 / the leader: over the cap needs special approval', async () => {
  await login(page, procuratorate, 'lingdao');
  await page.goto(`${procuratorate}/aid/application?id=${encodeURIComponent(id)}`);
  await act('决定救助', { amount_yuan: '60000', grounds: '被害人死亡，近亲属生活陷入困难' }, '查重并决定救助');
  const error = await page.locator('#act-error').innerText();
  check(error.includes('超出上限') && !error.includes('重复救助'), `error: ${error}`);
  check((await page.locator('#app-status').innerText()).includes('审查中'), 'decided despite the cap');
  await shot(page, 'aid-app-over-cap');
  await act('决定救助', {
    amount_yuan: '60000', grounds: '被害人死亡，近亲属生活陷入困难',
    approved_exception: '1', exception_reason: '损失特别重大，经检察委员会特别审批',
  }, '查重并决定救助');
  check((await page.locator('#app-status').innerText()).includes('决定救助'),
        `status: ${await page.locator('#app-status').innerText()}`);
  check((await page.locator('#history').innerText()).includes('特别审批'), 'the approval is not in the history');
  await logout(page);
});

await step('到账并发放，期限按时 / funds and payment, on time', async () => {
  await login(page, procuratorate, 'jiuzhu');
  await page.goto(`${procuratorate}/aid/application?id=${encodeURIComponent(id)}`);
  await act('救助金到账', {}, '登记到账');
  await act('通知领取并发放', {}, '已通知并发放');
  check((await page.locator('#app-status').innerText()).includes('已发放'), 'not paid');
  const rows = await page.locator('#deadlines tbody tr').allInnerTexts();
  check(rows.length === 3 && rows.every((r) => r.includes('按时完成')), `deadlines: ${rows.join(' | ')}`);
  await shot(page, 'aid-app-paid');
  await logout(page);
});

await step('他机关同一被害人同一案件：重复救助 / the court: the same victim and case', async () => {
  await login(page, court, 'jiuzhu');
  await page.goto(`${court}/aid/applications`);
  const form = await fillApplication({
    application_id: 'FY-救申-007', name: '李 建國', id_number: '610102195003041230',
    deceased_victim: '1', case_ref: '(2026)上0102刑初45号', complete: '1',
  }, [{ name: '李强', relation: '子女' }]);
  await clickAndLoad(page, form.getByRole('button', { name: '受理申请' }), '**/aid/application?id=*');
  check((await page.locator('#history').innerText()).includes('查重：重复救助'),
        `history: ${await page.locator('#history').innerText()}`);
  const warning = await page.locator('#check-warning').innerText();
  check(warning.includes('重复救助') && warning.includes(id), `warning: ${warning}`);
  await shot(page, 'aid-app-court-duplicate');
});

await step('逾期的救助期限进入待办 / an overdue aid deadline in 待办', async () => {
  // 15 days on: the court's decision on FY-救申-007 (10 working days) is overdue.
  moveClock(15 * 24 * 3600 * 1000);
  let text = '';
  for (let i = 0; i < 40 && !text.includes('FY-救申-007'); ++i) {
    await page.waitForTimeout(250);
    await page.goto(`${court}/`);
    text = (await page.locator('#alerts').count()) ? await page.locator('#alerts').innerText() : '';
  }
  check(text.includes('FY-救申-007') && text.includes('作出救助决定') && text.includes('已超期'),
        `待办: ${text}`);
  await shot(page, 'aid-app-overdue-in-work');
  await clickAndLoad(page, page.locator('#alerts a', { hasText: 'FY-救申-007' }).first(),
                     '**/aid/application?id=*');
  check((await page.locator('#deadlines').innerText()).includes('已逾期'), 'the deadline is not shown overdue');
});

await close();
