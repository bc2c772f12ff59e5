// A joint conference walked through the consoles of three agencies (see
// console_conference_test.cc): the procuratorate convenes, each agency gives
// its input, the convenor drafts the plan, the petition office asks for a
// change and gets version 2, a registrar cannot sign, each agency's leader
// signs, the plan is printed (联席会议工作方案, A4), the tasks are carried out
// and a public hearing is held.
// 联席会议全流程：召集、各机关意见、拟定方案、要求修改、领导会签、打印工作方案、任务落实、公开听证。
import fs from 'node:fs';
import path from 'node:path';
import { launch, step, check, shot, outputDir, clickAndLoad } from './lib/browser.mjs';
import { login, logout, flash, moveClock } from './lib/console.mjs';

const office = process.env.OFFICE_URL;
const court = process.env.COURT_URL;
const procuratorate = process.env.PROCURATORATE_URL;
const { page, close } = await launch();

// Dates as the browser's date fields take them, in Beijing time.
const beijing = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString();
const dayIn = (days) => beijing(Date.now() + days * 86400 * 1000).slice(0, 10);

let id;
const conference = (base) => `${base}/conferences/item?id=${encodeURIComponent(id)}`;
const planPrint = (base, query = '') => `${base}/conferences/plan/print?id=${encodeURIComponent(id)}${query}`;
// 二〇二六年十二月十二日, as the printed plan writes its deadlines.
const chineseDate = /^二〇[〇一二三四五六七八九]{2}年[一二三四五六七八九十]+月[一二三四五六七八九十]+日$/;

// Submits a form by its button and waits for the conference page again.
async function submit(button) {
  await clickAndLoad(page, button, '**/conferences/item?id=*');
}

async function openStep(name) {
  const d = page.locator(`details[data-step=${name}]`).first();
  check(await d.count() === 1, `no ${name} form on the page`);
  if (!(await d.getAttribute('open'))) await d.locator('summary').click();
  return d;
}

async function giveInput(assessment, measures) {
  const d = await openStep('input');
  await d.locator('textarea[name=assessment]').fill(assessment);
  for (const [i, [measure, detail]] of measures.entries()) {
    await d.locator(`select[name=m${i}_measure]`).selectOption(measure);
    await d.locator(`input[name=m${i}_detail]`).fill(detail);
  }
  await submit(d.getByRole('button', { name: '提交本机关意见' }));
  check((await flash(page)).includes('已提交本机关意见'), `flash is "${await flash(page)}"`);
}

async function signRow(agency) {
  return page.locator(`#participants tr[data-agency=${agency}]`).innerText();
}

await step('检察院召集联席会议 / the procuratorate convenes', async () => {
  await login(page, procuratorate, 'fuze');
  await clickAndLoad(page, page.getByRole('link', { name: '联席会议' }));
  check((await page.locator('#no-conferences').count()) === 1, 'a new district has conferences');
  await page.locator('#convene summary').click();
  const form = page.locator('form[data-step=convene]');
  await form.locator('input[name=title]').fill('三十名工人欠薪集体访联席会议');
  await form.locator('input[name=case_key]').fill('（2026）上0102刑初88号');
  await form.locator('input[name=case_refs]').fill('（2026）上0102执12号');
  await form.getByLabel('上州区人民法院').check();
  await form.getByLabel('上州区信访局').check();
  await form.locator('textarea[name=case_file]').fill('某建筑公司拖欠三十名工人工资，公安已立案侦查；部分工人生活困难，多次集体到信访局上访。');
  await shot(page, 'convene-form');
  await clickAndLoad(page, form.getByRole('button'), '**/conferences/item?id=*');
  id = new URL(page.url()).searchParams.get('id');
  check(id && id.startsWith('会-'), `no conference number in ${page.url()}`);
  check((await flash(page)).includes('已召集联席会议'), `flash is "${await flash(page)}"`);
  check((await page.locator('#conference-status').innerText()).includes('征集意见'), 'status is not 征集意见');
  check((await page.locator('#participants').innerText()).includes('上州区人民法院'), 'the court is not listed');
  await giveInput('部分工人生活困难，符合国家司法救助条件；拟组织公开听证释法说理。', [
    ['judicial_aid', '困难工人国家司法救助'],
    ['public_hearing', '公开听证，邀请人大代表、人民监督员参加'],
  ]);
  await shot(page, 'conference-convened');
  // No plan yet: the work plan cannot be printed, and the page says why.
  const early = await page.goto(planPrint(procuratorate));
  check(early.status() === 409, `the plan printed before there is one: status ${early.status()}`);
  const why = await page.locator('#refusal').innerText();
  check(why.includes('尚未提出工作方案'), `reason: ${why}`);
  await shot(page, 'plan-print-409');
  await page.goto(conference(procuratorate));
  await logout(page);
});

await step('法院、信访局提交意见 / the court and the petition office give their inputs', async () => {
  await login(page, court, 'fuze');
  await clickAndLoad(page, page.getByRole('link', { name: '联席会议' }));
  const row = page.locator(`#conferences tr[data-conference-id="${id}"]`);
  check((await row.innerText()).includes('待提交意见'), `the court's list does not say 待提交意见: ${await row.innerText()}`);
  await shot(page, 'court-list');
  await clickAndLoad(page, row.getByRole('link'));
  check((await page.locator('#conference-status').innerText()).includes('征集意见'), 'the court does not see the conference');
  await giveInput('被执行人名下已有保全财产，可依法执行兑付部分工资。', [['enforcement', '执行保全财产兑付工资']]);
  await logout(page);
  await login(page, office, 'chengban');
  await page.goto(conference(office));
  await giveInput('工人多次集体来访，情绪激动，需稳控疏导。', [['counselling', '工人代表心理疏导、稳控']]);
  await logout(page);
});

await step('召集机关拟定方案 / the convenor drafts the plan from the inputs', async () => {
  await login(page, procuratorate, 'fuze');
  await page.goto(conference(procuratorate));
  const d = await openStep('plan');
  const persons = { procuratorate: '冯救助', court: '陈法官', office: '李承办' };
  const rows = await d.locator('#plan-tasks tbody tr').count();
  let filled = 0;
  for (let i = 0; i < rows; i++) {
    if (!(await d.locator(`input[name=t${i}_detail]`).inputValue())) continue;
    const agency = await d.locator(`select[name=t${i}_agency]`).inputValue();
    await d.locator(`input[name=t${i}_person]`).fill(persons[agency]);
    await d.locator(`input[name=t${i}_due]`).fill(dayIn(10 + i));
    filled++;
  }
  check(filled === 4, `the plan form did not bring the 4 proposed measures (${filled})`);
  await d.locator('input[name=core_demand]').fill('尽快拿到拖欠工资');
  await d.locator('select[name=risk_level]').selectOption('红色');
  await d.locator('input[name=lead_leader]').fill('检察长 陈检察长');
  await d.locator('input[name=closing_criteria]').fill('工资兑付，工人签订息诉罢访协议');
  await d.locator('input[name=follow_up]').fill(dayIn(30));
  await shot(page, 'plan-form');
  // A due date already past: the agent refuses, and the form comes back as entered, with why.
  const due = await d.locator('input[name=t0_due]').inputValue();
  await d.locator('input[name=t0_due]').fill(dayIn(-1));
  await clickAndLoad(page, d.getByRole('button', { name: '提交方案，送各机关会签' }), '**/conferences/plan');
  const again = page.locator('details[data-step=plan]');
  const error = await again.locator('.flash.error').innerText();
  check(error.includes('会议代理未接受') && error.includes('完成期限须在将来'), `error: ${error}`);
  check(await again.locator('input[name=t0_person]').inputValue() === '冯救助', 'the entered plan was lost');
  await shot(page, 'plan-refused');
  await again.locator('input[name=t0_due]').fill(due);
  await submit(again.getByRole('button', { name: '提交方案，送各机关会签' }));
  check((await flash(page)).includes('已提出第 1 版方案'), `flash is "${await flash(page)}"`);
  check((await page.locator('#conference-status').innerText()).includes('会签'), 'status is not 会签中');
  check((await page.locator('#tasks tbody tr').count()) === 4, 'the plan does not have 4 tasks');
  await logout(page);
});

await step('信访局领导要求修改 / the petition office\'s leader asks for a change', async () => {
  await login(page, office, 'lingdao');
  await page.goto(conference(office));
  const form = page.locator('#sign-form');
  await form.locator('textarea[name=note]').fill('请明确工资兑付后由信访局负责回访');
  await submit(form.getByRole('button', { name: '要求修改' }));
  check((await flash(page)).includes('已要求修改第 1 版'), `flash is "${await flash(page)}"`);
  const row = await signRow('office');
  check(row.includes('要求修改') && row.includes('周局长'), `the office's row: ${row}`);
  await shot(page, 'changes-requested');
  await logout(page);
});

await step('召集机关提出第 2 版 / the convenor answers with version 2', async () => {
  await login(page, procuratorate, 'fuze');
  await page.goto(conference(procuratorate));
  const notices = await page.locator('#notices').innerText();
  check(notices.includes('要求修改第 1 版') && notices.includes('上州区信访局'), `notices: ${notices}`);
  const d = await openStep('plan');
  const rows = await d.locator('#plan-tasks tbody tr').count();
  const i = rows - 2;  // the first blank row
  await d.locator(`select[name=t${i}_agency]`).selectOption('office');
  await d.locator(`input[name=t${i}_person]`).fill('李承办');
  await d.locator(`select[name=t${i}_measure]`).selectOption('other');
  await d.locator(`input[name=t${i}_detail]`).fill('工资兑付后回访工人');
  await d.locator(`input[name=t${i}_due]`).fill(dayIn(25));
  await submit(d.getByRole('button', { name: '提交方案，送各机关会签' }));
  check((await flash(page)).includes('已提出第 2 版方案'), `flash is "${await flash(page)}"`);
  check((await signRow('office')).includes('待签署'), 'version 2 is not pending at the office');
  await logout(page);
});

await step('登记员不能签署方案 / a registrar may not sign the plan', async () => {
  await login(page, court, 'dengji');
  await page.goto(conference(court));
  check(await page.locator('#sign-form').count() === 0, 'the registrar is offered the signature');
  const hint = await page.locator('#steps').innerText();
  check(hint.includes('签署第 2 版方案须由院/局领导办理'), `the page does not say who signs: ${hint}`);
  await shot(page, 'registrar-view');
  // Posting the signature anyway (a forged form with a valid token) is refused with the role needed.
  const csrf = await page.evaluate(() => document.querySelector('input[name=csrf]')?.value);
  check(csrf, 'no csrf token on the page');
  await page.evaluate(({ id, csrf }) => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = '/conferences/sign';
    for (const [k, v] of Object.entries({ csrf, id, version: '2', decision: 'approve' })) {
      const i = document.createElement('input');
      i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  }, { id, csrf });
  await page.waitForSelector('#refusal');
  const reason = await page.locator('#refusal').innerText();
  check(reason.includes('院/局领导'), `reason: ${reason}`);
  await shot(page, 'refused-registrar-sign');
  await page.goto(conference(court));
  check((await signRow('court')).includes('待签署'), 'the registrar\'s refused signature counted');
  await logout(page);
});

await step('各机关领导签署第 2 版 / each agency\'s leader signs version 2', async () => {
  for (const [base, who] of [[procuratorate, '陈检察长'], [court, '孙院长'], [office, '周局长']]) {
    await login(page, base, 'lingdao');
    await page.goto(conference(base));
    await submit(page.getByRole('button', { name: '同意并签署第 2 版' }));
    check((await flash(page)).includes('已签署第 2 版'), `flash is "${await flash(page)}"`);
    check((await page.locator('#participants').innerText()).includes(who), `${who} is not shown as signer`);
    if (base !== office) await logout(page);
  }
  check((await flash(page)).includes('方案定稿'), `the last signature did not make it final: "${await flash(page)}"`);
  check((await page.locator('#conference-status').innerText()).includes('已定稿'), 'status is not 已定稿');
  const signatures = await page.locator('#versions').innerText();
  for (const who of ['陈检察长', '孙院长', '周局长']) check(signatures.includes(who), `${who} missing: ${signatures}`);
  await shot(page, 'conference-signed');
  await logout(page);
});

await step('打印工作方案 / the signed plan printed on A4, headed by the convenor', async () => {
  // The court, invited, prints the plan the procuratorate convened.
  await login(page, court, 'fuze');
  await page.goto(conference(court));
  await clickAndLoad(page, page.getByRole('link', { name: '打印工作方案' }), '**/conferences/plan/print?*');
  const text = (sel) => page.locator(sel).innerText();
  check((await text('#plan-agency')) === '上州区人民检察院', `heading: ${await text('#plan-agency')}`);
  check((await text('#plan-title')).replace(/\s/g, '') === '联席会议工作方案', `title: ${await text('#plan-title')}`);
  check((await text('#plan-subtitle')).includes('三十名工人欠薪集体访联席会议'), `subtitle: ${await text('#plan-subtitle')}`);
  const number = (await text('#plan-number')).replace(/\s/g, '');
  check(number.includes(id) && number.includes('第2版') && number.includes('已定稿'), `number: ${number}`);
  const facts = await text('#plan-facts');
  for (const words of ['（2026）上0102刑初88号', '红色', '检察长 陈检察长'])
    check(facts.includes(words), `the facts lack "${words}": ${facts}`);
  check((await text('#plan-criteria')).includes('工资兑付'), 'no 化解标准');
  const aid = page.locator('#plan-tasks tbody tr', { hasText: '困难工人国家司法救助' });
  check(await aid.count() === 1, `no aid task: ${await text('#plan-tasks')}`);
  check((await aid.innerText()).includes('上州区人民检察院') && (await aid.innerText()).includes('冯救助'), `task: ${await aid.innerText()}`);
  const due = (await aid.locator('td.due').innerText()).replace(/\s/g, '');
  check(chineseDate.test(due), `deadline: ${due}`);
  check((await aid.locator('td.st').innerText()) === '落实中', `status: ${await aid.locator('td.st').innerText()}`);
  check(await page.locator('#plan-tasks tbody tr').count() === 5, 'the plan does not print its 5 tasks');
  for (const [agency, name, who] of [['procuratorate', '上州区人民检察院', '陈检察长'], ['court', '上州区人民法院', '孙院长'], ['office', '上州区信访局', '周局长']]) {
    const row = await text(`#plan-signatures tr[data-agency=${agency}]`);
    check(row.includes(name) && row.includes(who) && !row.includes('未会签'), `${agency}'s signature: ${row}`);
  }
  check(chineseDate.test(await text('#plan-date')), `date: ${await text('#plan-date')}`);
  check(await page.locator('.no-print [data-print]').count() === 1, 'no 打印 button');
  await shot(page, 'plan-print');
  await page.emulateMedia({ media: 'print' });
  check(!(await page.locator('.toolbar').isVisible()), 'the toolbar is printed');
  await shot(page, 'plan-print-print');
  const pdf = path.join(outputDir, 'plan-print.pdf');
  await page.pdf({ path: pdf, format: 'A4', printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  const pages = (fs.readFileSync(pdf).toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  check(pages >= 1 && pages <= 2, `the plan prints on ${pages} pages`);
  console.log(`PDF: ${pdf} (${pages} pages)`);

  // Version 1, asked to change: nobody signed it.
  await page.goto(planPrint(court, '&version=1'));
  check((await text('#plan-number')).includes('已修订'), `version 1: ${await text('#plan-number')}`);
  const office1 = await text('#plan-signatures tr[data-agency=office]');
  check(office1.includes('未会签') && office1.includes('要求修改'), `the office on version 1: ${office1}`);
  check((await text('#plan-signatures tr[data-agency=court]')).includes('未会签'), 'the court signed version 1');
  await shot(page, 'plan-print-version-1');
  await page.goto(conference(court));
  await logout(page);
});

await step('任务进展与办结 / tasks reported and done', async () => {
  await login(page, court, 'fuze');
  await page.goto(conference(court));
  const d = await openStep('task');
  await d.locator('textarea[name=note]').fill('已冻结被执行人账户，拟于下周兑付工资 42 万元');
  await submit(d.getByRole('button', { name: '报送进展' }));
  check((await flash(page)).includes('已报送任务'), `flash is "${await flash(page)}"`);
  const tasks = await page.locator('#tasks').innerText();
  check(tasks.includes('已冻结被执行人账户'), `the progress is not shown: ${tasks}`);
  await logout(page);
  await login(page, office, 'chengban');
  await page.goto(conference(office));
  const visit = page.locator('details[data-step=task]', { hasText: '回访' });
  await visit.locator('summary').click();
  await visit.locator('textarea[name=note]').fill('已回访，工人表示满意');
  await visit.locator('input[name=done]').check();
  await submit(visit.getByRole('button', { name: '报送进展' }));
  check((await flash(page)).includes('已办结'), `flash is "${await flash(page)}"`);
  await shot(page, 'tasks');
  await logout(page);
});

await step('公开听证：安排与记录 / a public hearing scheduled, then recorded', async () => {
  await login(page, procuratorate, 'jiuzhu');
  await page.goto(conference(procuratorate));
  const d = await openStep('hearing');
  await d.locator('input[name=starts]').fill(`${dayIn(4)}T09:30`);
  await d.locator('input[name=place]').fill('上州区人民检察院听证室');
  await d.locator('input[name=chair]').fill('承办检察官 冯救助');
  const people = [['petitioner', '工人代表 孙某'], ['npc_deputy', '钱某'], ['people_supervisor', '赵某']];
  for (const [i, [role, name]] of people.entries()) {
    await d.locator(`select[name=p${i}_role]`).selectOption(role);
    await d.locator(`input[name=p${i}_name]`).fill(name);
  }
  await submit(d.getByRole('button', { name: '安排听证并通知' }));
  check((await flash(page)).includes('已安排公开听证'), `flash is "${await flash(page)}"`);
  check((await page.locator('#hearings').innerText()).includes('钱某'), 'the hearing is not listed');
  moveClock(5 * 24 * 3600 * 1000);  // the hearing has taken place
  await page.goto(conference(procuratorate));
  const r = await openStep('record');
  await r.locator('input[name=a1_opinion]').fill('建议先行司法救助困难工人');
  await r.locator('textarea[name=outcome]').fill('听证员一致同意化解方案，工人代表接受');
  await submit(r.getByRole('button', { name: '记录听证' }));
  moveClock(0);
  check((await flash(page)).includes('已记录公开听证'), `flash is "${await flash(page)}"`);
  check((await page.locator('#hearings').innerText()).includes('听证员一致同意'), 'the outcome is not shown');
  await shot(page, 'conference-hearing');
  await clickAndLoad(page, page.getByRole('link', { name: '联席会议' }).first());
  await shot(page, 'procuratorate-list');
  await logout(page);
});

await close();
console.log('通过 / passed');
