// Judicial aid in the console (see console_test.cc): the court's aid clerk
// registers a grant; the procuratorate's clerk enters the same victim with
// the name in traditional characters and no ID number, for the same case,
// and sees 重复救助 at once with the reasons in Chinese. A registrar may not
// approve it as an exception; the leader must give a reason, and the grant
// page then shows who approved it, when and why; the court sees the notices,
// newest first. The court's clerk uploads a CSV (one duplicate, one clear,
// one malformed row) and gets the report, also as a CSV for Excel; the same
// file again registers nothing. The procuratorate's clerk then corrects its
// grant (a reason is required; it is checked again) and withdraws it; the
// court sees both notices.
// 司法救助查重：他机关已救助同一人同一案件，录入即提示重复救助及理由；领导批准例外须填理由；
// 批量导入逐行报告，重复上传不重复登记。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout } from './lib/console.mjs';

const court = process.env.COURT_URL;
const procuratorate = process.env.PROCURATORATE_URL;
const { page, close } = await launch();
// Forms with data-confirm ask first (console.js): the clerk says yes.
page.on('dialog', (d) => d.accept());

// Posts a form the page does not offer (a forged form with a valid token).
async function forge(action, fields) {
  const csrf = await page.evaluate(() => document.querySelector('input[name=csrf]')?.value);
  check(csrf, 'no csrf token on the page');
  const loaded = page.waitForEvent('load');
  await page.evaluate(({ action, fields }) => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = action;
    for (const [k, v] of Object.entries(fields)) {
      const i = document.createElement('input');
      i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  }, { action, fields: { ...fields, csrf } });
  await loaded;
}

async function enter(base, fields) {
  await page.goto(`${base}/aid`);
  const form = page.locator('#grant');
  for (const [name, value] of Object.entries(fields)) {
    const input = form.locator(`[name=${name}]`);
    if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(value);
    else await input.fill(value);
  }
  await clickAndLoad(page, form.getByRole('button', { name: '查重并登记' }), '**/aid/grant?id=*');
  return page.locator('#verdict').innerText();
}

await step('法院登记一笔救助 / the court registers a grant', async () => {
  await login(page, court, 'jiuzhu');
  await clickAndLoad(page, page.getByRole('link', { name: '司法救助' }));
  await shot(page, 'aid');
  const verdict = await enter(court, {
    record_id: 'FY-2026-001', name: '赵大勇', id_number: '310104198001011234', phone: '13900001111',
    case_ref: '（2026）上0102刑初88号', crime: '故意伤害', aid_type: '资金救助',
    amount_yuan: '20000', granted_on: '2026-11-20',
  });
  check(verdict.includes('未发现重复'), `verdict: ${verdict}`);
  await shot(page, 'grant-clear');
  await logout(page);
});

await step('金额与日期有误：字段标红，未登记 / a bad amount and date are marked red, nothing registered', async () => {
  await login(page, court, 'jiuzhu');
  await page.goto(`${court}/aid`);
  const form = page.locator('#grant');
  await form.locator('[name=record_id]').fill('FY-2026-002');
  await form.locator('[name=name]').fill('钱小红');
  await form.locator('[name=gender]').selectOption('女');
  await form.locator('[name=aid_type]').selectOption('资金救助');
  await form.locator('[name=amount_yuan]').fill('两万元');
  await form.locator('[name=granted_on]').fill('2026-11-21');
  await form.locator('[name=granted_on]').evaluate((e) => { e.type = 'text'; e.value = '2026-13-40'; });
  await clickAndLoad(page, form.getByRole('button', { name: '查重并登记' }));
  check(await page.locator('#grant input[name=amount_yuan].invalid').count() === 1, 'the amount is not marked red');
  check(await page.locator('#grant input[name=granted_on].invalid').count() === 1, 'the date is not marked red');
  check(await page.locator('#grant input[name=name].invalid').count() === 0, 'a good field is marked red');
  check(await page.locator('#grant [name=gender]').inputValue() === '女', 'the gender was not kept');
  check(await page.locator('#grant [name=name]').inputValue() === '钱小红', 'the name was not kept');
  const flash = await page.locator('.flash.error').innerText();
  check(flash.includes('金额'), `the error does not name the amount: ${flash}`);
  await shot(page, 'grant-invalid');
  await logout(page);
});

await step('检察院录入同一人同一案，即见重复救助及理由 / the procuratorate sees 重复救助 with reasons', async () => {
  await login(page, procuratorate, 'jiuzhu');
  await clickAndLoad(page, page.getByRole('link', { name: '司法救助' }));
  const verdict = await enter(procuratorate, {
    record_id: 'JC-2026-007', name: '趙大勇', phone: '13900001111',
    case_ref: '（2026）上0102刑初88号', crime: '故意伤害', aid_type: '资金救助',
    amount_yuan: '15000', granted_on: '2026-11-28',
  });
  check(verdict.includes('重复救助'), `verdict: ${verdict}`);
  const reasons = await page.locator('#reasons').innerText();
  check(/[\u4e00-\u9fff]/.test(reasons), `the reasons are not in Chinese: ${reasons}`);
  const matches = await page.locator('#matches').innerText();
  check(matches.includes('上州区人民法院') && matches.includes('FY-2026-001'), `matches: ${matches}`);
  check(matches.includes('同一案件'), `the case column: ${matches}`);
  await shot(page, 'grant-duplicate');
  check(await page.locator('#approve').count() === 0, 'a handler is offered the exception form');
  check((await page.locator('#ask-leader').innerText()).includes('院/局领导'), 'no hint to ask the leader');
  await logout(page);
});

await step('登记员不能批准例外 / a registrar may not approve an exception', async () => {
  await login(page, procuratorate, 'dengji');
  await page.goto(`${procuratorate}/aid/grant?id=JC-2026-007`);
  check(await page.locator('#approve').count() === 0, 'the registrar is offered the exception form');
  await forge('/aid/grant/exception', { record_id: 'JC-2026-007', reason: '登记员自行批准' });
  const reason = await page.locator('#refusal').innerText();
  check(reason.includes('院/局领导'), `reason: ${reason}`);
  await shot(page, 'exception-refused');
  await page.goto(`${procuratorate}/aid/grant?id=JC-2026-007`);
  check(!(await page.locator('.muted').first().innerText()).includes('已登记'), 'registered by a registrar');
  await logout(page);
});

await step('领导批准例外须填理由，记录页显示批准人、时间、理由 / a leader approves with a reason', async () => {
  await login(page, procuratorate, 'lingdao');
  await page.goto(`${procuratorate}/aid/grant?id=JC-2026-007`);
  const form = page.locator('#approve');
  await clickAndLoad(page, form.getByRole('button', { name: '批准例外并登记' }), '**/aid/grant/exception');
  check(await page.locator('#approve textarea[name=reason].invalid').count() === 1, 'the empty reason is not marked');
  check((await page.locator('#exception-error').innerText()).includes('批准理由'), 'no error for the empty reason');
  await shot(page, 'exception-no-reason');
  const why = '受害人重伤致贫，经检察委员会研究同意另行救助';
  await page.locator('#approve textarea[name=reason]').fill(why);
  await clickAndLoad(page, page.locator('#approve').getByRole('button', { name: '批准例外并登记' }),
    '**/aid/grant?id=*');
  const facts = await page.locator('#exception').innerText();
  check(facts.includes(why) && facts.includes('陈检察长') && /\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(facts),
    `exception: ${facts}`);
  check((await page.locator('.muted').first().innerText()).includes('已登记（例外）'), 'not registered as an exception');
  check((await page.locator('#reasons').innerText()).includes(why), 'the reply does not carry the reason');
  check(await page.locator('#approve').count() === 0, 'the form is still offered');
  await shot(page, 'exception-approved');
  await logout(page);
});

await step('法院见他机关提示，最新在前 / the court sees the notices, newest first', async () => {
  await login(page, court, 'jiuzhu');
  await clickAndLoad(page, page.getByRole('link', { name: '司法救助' }));
  const rows = page.locator('#notices tbody tr');
  check(await rows.count() >= 2, `notices: ${await rows.count()}`);
  const first = await rows.first().innerText();
  check(first.includes('上州区人民检察院') && first.includes('已登记'), `newest notice: ${first}`);
  check(!(await rows.nth(1).innerText()).includes('已登记'), 'the older notice is not second');
  await shot(page, 'aid-notices');
});

const csv = '\uFEFF记录编号,姓名,身份证号,电话,案号,案由,救助类型,金额,救助日期\r\n'
  + 'FY-2026-101,赵大勇,310104198001011234,13900001111,（2026）上0102刑初88号,故意伤害,资金救助,5000,2026-11-29\r\n'
  + 'FY-2026-102,孙小红,,13700002222,（2026）上0102刑初99号,盗窃,医疗救助,,2026-11-30\r\n'
  + 'FY-2026-103,李四,,,（2026）上0102刑初77号,诈骗,资金救助,abc,2026-11-31\r\n';

async function upload(name, text) {
  await page.goto(`${court}/aid/import`);
  await page.locator('#upload input[name=file]').setInputFiles({
    name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8'),
  });
  await clickAndLoad(page, page.getByRole('button', { name: '上传并查重登记' }), '**/aid/import/report?id=*');
}

async function reportRows() {
  return page.locator('#report tbody tr').evaluateAll((trs) => trs.map((tr) => {
    const td = [...tr.querySelectorAll('td')].map((c) => c.innerText.trim());
    return { line: td[0], id: td[1], verdict: td[2], registered: td[3], reasons: td[4] };
  }));
}

await step('批量导入：逐行结论与理由、合计、CSV 报告 / the batch import and its report', async () => {
  await clickAndLoad(page, page.getByRole('link', { name: '批量导入（CSV）' }), '**/aid/import');
  check((await page.locator('.hint').first().innerText()).includes('1 MB'), 'the size limit is not said');
  await shot(page, 'aid-import');
  await upload('法院救助名单.csv', csv);
  const rows = await reportRows();
  check(rows.length === 3, `rows: ${JSON.stringify(rows)}`);
  check(rows[0].line === '2' && rows[0].id === 'FY-2026-101' && rows[0].verdict === '重复救助'
    && /[\u4e00-\u9fff]/.test(rows[0].reasons) && rows[0].registered === '否', `row 2: ${JSON.stringify(rows[0])}`);
  check(rows[1].line === '3' && rows[1].verdict === '通过' && rows[1].registered === '是', `row 3: ${JSON.stringify(rows[1])}`);
  check(rows[2].line === '4' && rows[2].id === 'FY-2026-103' && rows[2].verdict === '格式错误'
    && rows[2].reasons.includes('金额') && rows[2].reasons.includes('救助日期'), `row 4: ${JSON.stringify(rows[2])}`);
  const totals = await page.locator('#totals').innerText();
  for (const t of ['通过 1', '重复救助 1', '需核实 0', '格式错误 1']) check(totals.includes(t), `totals: ${totals}`);
  await shot(page, 'aid-import-report');
  const href = await page.locator('#report-csv').getAttribute('href');
  const res = await page.request.get(`${court}${href}`);
  const body = await res.body();
  check(res.ok() && body[0] === 0xEF && body[1] === 0xBB && body[2] === 0xBF, 'the CSV has no BOM');
  const text = body.toString('utf8');
  check(text.includes('行号,') || text.includes('"行号"'), `csv: ${text.slice(0, 80)}`);
  check(text.includes('格式错误') && text.includes('FY-2026-102') && text.includes('\r\n'), `csv: ${text}`);
  check((res.headers()['content-disposition'] || '').includes('attachment'), 'not a download');
});

await step('同一文件再传不重复登记 / the same file again registers nothing', async () => {
  await upload('法院救助名单（副本）.csv', csv);
  check((await page.locator('.flash').first().innerText()).includes('未重复提交'), 'no note that it was imported before');
  const again = await reportRows();
  check(again.length === 3 && again[1].verdict === '通过', `report: ${JSON.stringify(again)}`);
  await shot(page, 'aid-import-again');
  // The same rows in another file: the registered grant is not sent again.
  await upload('补充名单.csv', `${csv}\r\n`);
  const other = await reportRows();
  check(other[1].verdict === '已登记过' && other[1].id === 'FY-2026-102', `report: ${JSON.stringify(other)}`);
  await page.goto(`${court}/aid`);
  const ids = await page.locator('#grants tbody tr td:first-child').allInnerTexts();
  check(ids.filter((i) => i === 'FY-2026-102').length === 1, `grants: ${ids}`);
  await shot(page, 'aid-after-imports');
});

// The grant approved above is for the court's case: corrected (its amount),
// it is still 重复救助 and the court is told; withdrawn, the court is told again.
await step('更正登记须填理由，重新查重并通知法院 / a correction needs a reason, is checked again, the court is told', async () => {
  await login(page, procuratorate, 'jiuzhu');
  await page.goto(`${procuratorate}/aid/grant?id=JC-2026-007`);
  await page.locator('#correct-box summary').click();
  const form = page.locator('#correct');
  check(await form.locator('[name=name]').inputValue() === '趙大勇', 'the form is not filled with the grant');
  check(await form.locator('[name=aid_type]').inputValue() === '资金救助', 'the aid type is not selected');
  await form.locator('[name=amount_yuan]').fill('12000');
  await clickAndLoad(page, form.getByRole('button', { name: '提交更正并重新查重' }), '**/aid/grant/correct');
  check(await page.locator('#correct textarea[name=reason].invalid').count() === 1, 'the empty reason is not marked red');
  check((await page.locator('#correct-error').innerText()).includes('理由'), 'no error for the empty reason');
  check(await page.locator('#correct [name=amount_yuan]').inputValue() === '12000', 'the entry was lost');
  await shot(page, 'grant-correct-no-reason');
  await page.locator('#correct textarea[name=reason]').fill('金额录入错误，应为一万二千元');
  await clickAndLoad(page, page.locator('#correct').getByRole('button', { name: '提交更正并重新查重' }),
    '**/aid/grant?id=*');
  const verdict = await page.locator('#verdict').innerText();
  check(verdict.includes('重复救助'), `verdict after the correction: ${verdict}`);
  check((await page.locator('.muted').first().innerText()).includes('已登记'), 'the corrected grant is not registered');
  const changes = await page.locator('#changes').innerText();
  check(changes.includes('更正') && changes.includes('金额录入错误') && changes.includes('已生效')
    && changes.includes('上州区人民法院'), `changes: ${changes}`);
  await shot(page, 'grant-corrected');
});

await step('撤销登记：不再参与查重，法院见提示 / a withdrawal leaves the registry and the court is told', async () => {
  await page.locator('#withdraw-box summary').click();
  await page.locator('#withdraw textarea[name=reason]').fill('经核实未发放，登记作废');
  await clickAndLoad(page, page.locator('#withdraw').getByRole('button', { name: '撤销登记' }),
    '**/aid/grant?id=*');
  check((await page.locator('.muted').first().innerText()).includes('已撤销'), 'the status is not 已撤销');
  check(await page.locator('#correct').count() === 0 && await page.locator('#withdraw').count() === 0,
    'a withdrawn grant still offers the forms');
  check((await page.locator('#changes tbody tr').count()) === 2, 'the history has not two changes');
  await shot(page, 'grant-withdrawn');
  await logout(page);
  await login(page, court, 'jiuzhu');
  await clickAndLoad(page, page.getByRole('link', { name: '司法救助' }));
  const rows = page.locator('#notices tbody tr');
  const newest = await rows.first().innerText();
  check(newest.includes('对方已撤销') && newest.includes('经核实未发放'), `newest notice: ${newest}`);
  const before = await rows.nth(1).innerText();
  check(before.includes('对方已更正') && before.includes('金额录入错误'), `the correction's notice: ${before}`);
  await shot(page, 'aid-notices-changes');
  await logout(page);
});

await close();
console.log('通过 / passed');
