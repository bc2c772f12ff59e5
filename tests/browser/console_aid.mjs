// Judicial aid in the console (see console_test.cc): the court's aid clerk
// registers a grant; the procuratorate's clerk enters the same victim with
// the name in traditional characters and no ID number, for the same case,
// and sees 重复救助 at once with the reasons in Chinese.
// 司法救助查重：他机关已救助同一人同一案件，录入即提示重复救助及理由。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout } from './lib/console.mjs';

const court = process.env.COURT_URL;
const procuratorate = process.env.PROCURATORATE_URL;
const { page, close } = await launch();

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
  await shot(page, 'grant-duplicate');
});

await close();
console.log('通过 / passed');
