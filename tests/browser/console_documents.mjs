// The printed notices (文书) of the console (see console_documents_test.cc):
// the registrar registers three petitions at the petition office; the head
// accepts one with its handler (受理告知书, also printed to an A4 PDF),
// refuses the second with a reason (不予受理告知书) and transfers the third
// to the court (转送告知书); a 答复意见书 asked for before the reply is a
// 409 naming the missing step; the handler replies and prints the
// 答复意见书; the court may not print the office's notices.
// 文书打印：受理告知书、不予受理告知书、转送告知书、答复意见书，缺步骤时 409，他机关 403。
import fs from 'node:fs';
import path from 'node:path';
import { launch, step, check, shot, outputDir, clickAndLoad } from './lib/browser.mjs';
import { login, logout as logoutFrom, flash } from './lib/console.mjs';

const office = process.env.OFFICE_URL;
const court = process.env.COURT_URL;
const agency = '上州区信访局';
const { page, close } = await launch();

// A notice has no menu: log out from 待办.
async function logout(page) {
  await page.goto(`${new URL(page.url()).origin}/`);
  await logoutFrom(page);
}

// 二〇二六年十二月二日: today in Beijing, as the notices date their steps.
function chineseDate(d = new Date()) {
  const digits = '〇一二三四五六七八九';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric', day: 'numeric' })
      .formatToParts(d)
      .map((p) => [p.type, Number(p.value)]),
  );
  const n = (v) => (v >= 20 ? digits[Math.floor(v / 10)] : '') + (v >= 10 ? '十' : '') + (v % 10 || v < 10 ? digits[v % 10] : '');
  return `${[...String(parts.year)].map((c) => digits[c]).join('')}年${n(parts.month)}月${n(parts.day)}日`;
}

// 上州信受〔2026〕12号 from 信-2026-000012.
function docNumber(tag, no) {
  const [, year, seq] = no.split('-');
  return `上州信${tag}〔${year}〕${Number(seq)}号`;
}

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

// Takes a step from the item page's 办理 block.
async function act(no, action, fill) {
  await page.goto(`${office}/petitions/item?no=${encodeURIComponent(no)}`);
  await page.locator(`details:has(form[data-action=${action}]) summary`).click();
  const form = page.locator(`form[data-action=${action}]`);
  await fill(form);
  await clickAndLoad(page, form.getByRole('button'), '**/petitions/item?no=*');
  check((await flash(page)).includes('已办理'), `flash is "${await flash(page)}"`);
}

// Opens a notice from the item page's 文书 block and returns its text.
async function openDocument(no, kind) {
  await page.goto(`${office}/petitions/item?no=${encodeURIComponent(no)}`);
  const link = page.locator(`#documents a[data-kind=${kind}]`);
  check(await link.count() === 1, `no ${kind} link in 文书: ${await page.locator('#documents').innerText()}`);
  await clickAndLoad(page, link, '**/petitions/doc?*');
  check((await page.locator('#doc-agency').innerText()) === agency, `heading: ${await page.locator('#doc-agency').innerText()}`);
  check((await page.locator('#doc-date').innerText()) === chineseDate(), `date: ${await page.locator('#doc-date').innerText()}, today is ${chineseDate()}`);
  check((await page.locator('#doc-body').innerText()).includes(no), `the body does not name ${no}`);
  check(await page.locator('.no-print [data-print]').count() === 1, 'no 打印 button');
  return page.locator('#document').innerText();
}

let accepted, refused, transferred;
await step('登记员登记三件信访 / the registrar registers three petitions', async () => {
  await login(page, office, 'dengji');
  accepted = await register('反映拖欠工资一案执行款长期未到位', '张某');
  refused = await register('要求重新处理已经复核终结的土地补偿问题', '刘某');
  transferred = await register('对法院执行局扣划存款的做法不服', '陈某');
  await shot(page, 'item-registered');
  await logout(page);
});

await step('受理后打印受理告知书 / accepted, the 受理告知书 names agency, petitioner, number and date', async () => {
  await login(page, office, 'fuze');
  await page.goto(`${office}/petitions/item?no=${encodeURIComponent(accepted)}`);
  check((await page.locator('#documents').innerText()).includes('暂无可出具的文书'), 'documents offered before any step');
  await act(accepted, 'accept', async (form) => {
    await form.locator('select[name=handler]').selectOption({ label: '李承办（办信科）' });
    await form.locator('textarea[name=note]').fill('属本机关职权范围，予以受理');
  });
  await shot(page, 'item-documents');
  const text = await openDocument(accepted, 'acceptance');
  check((await page.locator('#doc-title').innerText()).replace(/\s/g, '') === '受理告知书', 'title');
  check((await page.locator('#doc-petitioner').innerText()) === '张某：', `addressee: ${await page.locator('#doc-petitioner').innerText()}`);
  check((await page.locator('#doc-number').innerText()) === docNumber('受', accepted), `number: ${await page.locator('#doc-number').innerText()}`);
  for (const words of ['反映拖欠工资一案执行款长期未到位', '予以受理', '办信科', '六十日内办结', '（印章）', '承办人：李承办'])
    check(text.includes(words), `the notice lacks "${words}":\n${text}`);
  await shot(page, 'doc-acceptance');

  // Printed: the toolbar goes, the sheet is one A4 page.
  await page.emulateMedia({ media: 'print' });
  check(!(await page.locator('.toolbar').isVisible()), 'the toolbar is printed');
  await shot(page, 'doc-acceptance-print');
  const pdf = path.join(outputDir, 'doc-acceptance.pdf');
  await page.pdf({ path: pdf, format: 'A4', printBackground: true });  // print media, as a printer gets it
  await page.emulateMedia({ media: 'screen' });
  const bytes = fs.readFileSync(pdf);
  check(bytes.length > 5 * 1024, `the PDF has ${bytes.length} bytes`);
  const pages = (bytes.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  check(pages === 1, `the 受理告知书 prints on ${pages} pages`);
  console.log(`PDF: ${pdf} (${bytes.length} bytes, ${pages} page)`);
});

await step('答复前不能出具答复意见书 / no 答复意见书 before the reply: 409 naming the step', async () => {
  const r = await page.goto(`${office}/petitions/doc?no=${encodeURIComponent(accepted)}&kind=reply`);
  check(r.status() === 409, `status ${r.status()}`);
  const reason = await page.locator('#refusal').innerText();
  check(reason.includes('办结答复') && reason.includes('答复意见书'), `reason: ${reason}`);
  await shot(page, 'doc-reply-409');
});

await step('不予受理告知书载明理由 / the 不予受理告知书 carries the reason', async () => {
  const reason = '该信访事项已经复核终结，你未提出新的事实和理由，依照《信访工作条例》第三十六条不再受理';
  await act(refused, 'not_accept', async (form) => {
    await form.locator('textarea[name=note]').fill(reason);
  });
  const text = await openDocument(refused, 'non_acceptance');
  check((await page.locator('#doc-petitioner').innerText()) === '刘某：', 'addressee');
  check((await page.locator('#doc-number').innerText()) === docNumber('不受', refused), `number: ${await page.locator('#doc-number').innerText()}`);
  check(text.includes(reason) && text.includes('不予受理'), `the notice lacks the reason:\n${text}`);
  await shot(page, 'doc-non-acceptance');
});

await step('转送告知书写明去向和说明 / the 转送告知书 names the court and the explanation', async () => {
  await act(transferred, 'transfer', async (form) => {
    await form.locator('select[name=to_agency]').selectOption({ label: '上州区人民法院' });
    await form.locator('textarea[name=note]').fill('反映的是人民法院执行行为，属人民法院职权范围');
  });
  const text = await openDocument(transferred, 'transfer');
  for (const words of ['转送上州区人民法院', '反映的是人民法院执行行为', '陈某：'])
    check(text.includes(words), `the notice lacks "${words}":\n${text}`);
  await shot(page, 'doc-transfer');
  await logout(page);
});

await step('承办人答复后打印答复意见书 / after the reply, the 答复意见书 with the right to review', async () => {
  await login(page, office, 'chengban');
  await act(accepted, 'substantive_reply', async (form) => {
    await form.locator('select[name=channel]').selectOption('书面答复');
    await form.locator('textarea[name=note]').fill(
      '查明事实：经调阅执行案卷，被执行人已于本月将执行款交至法院账户。\n处理意见：已协调上州区人民法院于十日内发放执行款，你的诉求予以支持。');
  });
  const text = await openDocument(accepted, 'reply');
  for (const words of ['一、信访事项', '二、查明事实', '经调阅执行案卷', '三、处理意见', '十日内发放执行款',
    '三十日内', '向上州区人民政府请求复查', '承办人：李承办', '特此答复'])
    check(text.includes(words), `the reply lacks "${words}":\n${text}`);
  check(!text.includes('书面答复：'), 'the reply shows the channel prefix');
  check((await page.locator('#doc-number').innerText()) === docNumber('复', accepted), 'number');
  await shot(page, 'doc-reply');
  await logout(page);
});

await step('他机关不能打印本机关的文书 / the court may not print the office\'s notices', async () => {
  await login(page, court, 'dengji');
  const r = await page.goto(`${court}/petitions/doc?no=${encodeURIComponent(refused)}&kind=non_acceptance`);
  check(r.status() === 403, `status ${r.status()}`);
  check((await page.locator('#refusal').innerText()).includes('无权'), 'no refusal');
  await shot(page, 'doc-other-agency-403');
});

await close();
console.log('通过 / passed');
