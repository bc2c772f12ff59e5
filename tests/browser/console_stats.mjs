// 统计 in the console (see console_test.cc): after a few registrations the
// head opens the monthly report: the summary counts them, the three charts
// are drawn, and the .xlsx and CSV exports download (an xlsx is a ZIP, the
// CSV starts with a BOM for Excel and has Chinese headers). A registrar has
// no 统计 and is refused it.
// 统计月报：图表、导出 Excel 与 CSV、打印；登记员无权查看。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout } from './lib/console.mjs';

const office = process.env.OFFICE_URL;
const { page, close } = await launch();

await step('登记两件信访 / two petitions are registered', async () => {
  await login(page, office, 'dengji');
  check(await page.getByRole('link', { name: '统计' }).count() === 0, 'a registrar is offered 统计');
  for (const matter of ['反映物业纠纷', '反映征地补偿']) {
    await page.goto(`${office}/petitions/new`);
    await page.locator('textarea[name=matter]').fill(matter);
    await clickAndLoad(page, page.getByRole('button', { name: '登记' }), '**/petitions/item?no=*');
  }
  await page.goto(`${office}/stats`);
  check((await page.locator('#refusal').innerText()).includes('部门负责人'), 'the registrar is not refused 统计');
  await logout(page);
});

await step('部门负责人查看月报 / the head reads the monthly report', async () => {
  await login(page, office, 'fuze');
  await clickAndLoad(page, page.getByRole('link', { name: '统计' }));
  const received = await page.locator('#summary tbody td').first().innerText();
  check(Number(received) >= 2, `received this month: ${received}`);
  check(await page.locator('#chart-channels rect').count() === 6, 'no bar per channel');
  check(await page.locator('#chart-rates polyline').count() === 2, 'no rate lines');
  check(await page.locator('#months tbody tr').count() === 12, 'not twelve months');
  const visitors = await page.locator('#reception-visitors').innerText();
  check(/^\d+$/.test(visitors), `reception-day visitors: ${visitors}`);
  check((await page.locator('#receptions h2').innerText()).includes('不少于 12 次'), 'no yearly reception-day minimum');
  await shot(page, 'stats');
});

await step('导出 Excel 与 CSV / export .xlsx and CSV', async () => {
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.locator('#export-xlsx').click()]);
  const xbytes = await streamBytes(await xlsx.createReadStream());
  check(xbytes.subarray(0, 2).toString() === 'PK', 'the .xlsx is not a ZIP');
  check(xlsx.suggestedFilename().endsWith('.xlsx'), `name: ${xlsx.suggestedFilename()}`);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('#export-csv').click()]);
  const text = (await streamBytes(await csv.createReadStream())).toString('utf8');
  check(text.startsWith('\ufeff月份,收到'), `CSV starts: ${text.slice(0, 20)}`);
  check(text.includes('本月接待日来访人数,'), 'the CSV has no reception-day visitors');
});

async function streamBytes(stream) {
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

await close();
console.log('通过 / passed');
