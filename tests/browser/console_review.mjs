// Extension and review walked through the consoles of two procuratorates
// (see console_review_test.cc): the district procuratorate registers,
// accepts, extends (approved by its chief procurator) and answers; the
// petitioner asks the city procuratorate, its superior, for review; the city
// records the request with the date the written answer was received, and
// gives the review opinion.
// 延期与复查：区检察院登记、受理、经检察长批准延期、办结答复；信访人向上一级
// 市检察院申请复查，市检察院登记收到书面答复的日期并作出复查意见。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout, flash } from './lib/console.mjs';

const district = process.env.PROCURATORATE_URL;
const city = process.env.CITY_URL;
const { page, close } = await launch();

// Today in Beijing time, as the date field takes it (YYYY-MM-DD).
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

async function openItem(base, no) {
  await page.goto(`${base}/petitions/item?no=${encodeURIComponent(no)}`);
  check((await page.locator('h1').first().innerText()).includes(no), `the page is not item ${no}`);
}

// Opens the step's form, lets `fill` fill it, submits and checks 已办理.
async function act(action, fill) {
  await page.locator(`details:has(form[data-action=${action}]) summary`).click();
  const form = page.locator(`form[data-action=${action}]`);
  await fill(form);
  await clickAndLoad(page, form.getByRole('button'), '**/petitions/item?no=*');
  check((await flash(page)).includes('已办理'), `${action}: the flash is "${await flash(page)}"`);
}

async function offered(action) {
  return (await page.locator(`form[data-action=${action}]`).count()) === 1;
}

let no;
await step('区检察院登记员登记 / the procuratorate registers the petition', async () => {
  await login(page, district, 'dengji');
  await page.goto(`${district}/petitions/new`);
  await page.getByLabel('信访人').fill('陈某');
  await page.getByLabel('联系方式（电话或地址）').fill('13900139000');
  await page.locator('textarea[name=matter]').fill('不服公安机关撤销案件决定，请求检察机关监督立案');
  await clickAndLoad(page, page.getByRole('button', { name: '登记' }), '**/petitions/item?no=*');
  no = new URL(page.url()).searchParams.get('no');
  check(no && no.startsWith('信-'), `no ledger number in ${page.url()}`);
  check((await flash(page)).includes('已登记'), 'no 已登记 flash');
  await logout(page);
});

await step('部门负责人受理并指定承办人 / the head accepts it and names the handler', async () => {
  await login(page, district, 'fuze');
  await openItem(district, no);
  check(!(await offered('extend')), 'a head is offered 延期 before the item is accepted');
  await act('accept', async (form) => {
    await form.locator('select[name=handler]').selectOption({ label: '冯救助（控告申诉检察部）' });
    await form.locator('textarea[name=note]').fill('属本院管辖，予以受理');
  });
  check((await page.locator('#item-status').innerText()).includes('已受理'), 'status is not 已受理分流');
  await logout(page);
});

await step('检察长批准延期 20 日 / the chief procurator extends the answer by 20 days', async () => {
  await login(page, district, 'lingdao');
  await openItem(district, no);
  const before = await page.locator('#deadlines').innerText();
  await page.locator('details:has(form[data-action=extend]) summary').click();
  const form = page.locator('form[data-action=extend]');
  const days = form.locator('input[name=days]');
  check((await days.getAttribute('type')) === 'number', 'the days field is not a number');
  check((await days.getAttribute('max')) === '30', `days max is ${await days.getAttribute('max')}`);
  const hint = await form.innerText();
  check(/批准人：.*陈检察长/.test(hint), `the form does not name the approver: ${hint}`);
  await days.fill('20');
  await form.locator('textarea[name=note]').fill('需调取公安机关案卷材料，情况复杂');
  await shot(page, 'extend-form');
  await clickAndLoad(page, form.getByRole('button'), '**/petitions/item?no=*');
  check((await flash(page)).includes('已办理'), `flash is "${await flash(page)}"`);
  const history = await page.locator('#history').innerText();
  check(history.includes('延期 20 日') && history.includes('批准') && history.includes('陈检察长'),
    `the history does not show the approved extension: ${history}`);
  const after = await page.locator('#deadlines').innerText();
  check(after !== before, `the deadlines did not change: ${after}`);
  check(!(await offered('extend')), 'a second extension is still offered');
  await shot(page, 'extended');
  await logout(page);
});

await step('承办人办结答复 / the handler gives the answer', async () => {
  await login(page, district, 'jiuzhu');
  await openItem(district, no);
  await act('substantive_reply', async (form) => {
    await form.locator('select[name=channel]').selectOption('书面答复');
    await form.locator('textarea[name=note]').fill(
      '查明事实：公安机关撤销案件决定有事实依据。处理意见：不予监督立案，告知信访人可申请复查。');
  });
  check((await page.locator('#item-status').innerText()).includes('已办结答复'), 'status is not 已办结答复');
  check(await offered('request_review'), 'the answering procuratorate is not offered 申请复查复核');
  await logout(page);
});

await step('市检察院凭台账号打开事项并登记复查申请 / the city opens the item by its number and records the review request', async () => {
  await login(page, city, 'chengban');
  await openItem(city, no);
  check((await page.locator('#responsible').innerText()).includes('上州区人民检察院'),
    'the district procuratorate is not shown responsible before the request');
  check(!(await offered('review_opinion')), 'the city is offered 复查复核意见 before the request');
  await page.locator('details:has(form[data-action=request_review]) summary').click();
  const form = page.locator('form[data-action=request_review]');
  const received = form.locator('input[name=answer_received]');
  check((await received.getAttribute('type')) === 'date', 'the receipt field is not a date');
  await received.fill(today);
  await form.locator('textarea[name=note]').fill('信访人对答复意见不服，请求复查');
  await shot(page, 'city-request-form');
  await clickAndLoad(page, form.getByRole('button'), '**/petitions/item?no=*');
  check((await flash(page)).includes('已办理'), `flash is "${await flash(page)}"`);
  check((await page.locator('#item-status').innerText()).includes('复查复核中'), 'status is not 复查复核中');
  check((await page.locator('#responsible').innerText()).includes('上州市人民检察院'),
    `the city is not responsible: ${await page.locator('#responsible').innerText()}`);
  const history = await page.locator('#history').innerText();
  check(history.includes('申请复查复核') && history.includes('上州市人民检察院'),
    `the history does not show the request going to the city: ${history}`);
  check(history.includes(`${today} 收到书面答复`), `the history does not show the receipt date: ${history}`);
  // The request is recorded by the city, in the city's name.
  const request = page.locator('#history li', { hasText: '申请复查复核' });
  const when = await request.locator('.when').innerText();
  check(when.includes('上州市人民检察院') && when.includes('承办人 何承办'),
    `the request is not recorded as the city's: ${when}`);
  check(await offered('review_opinion'), 'the city is not offered 复查复核意见');
  await shot(page, 'city-review-requested');
  await logout(page);
});

await step('区检察院不再办理复查 / the district procuratorate no longer offers the review opinion', async () => {
  await login(page, district, 'jiuzhu');
  await openItem(district, no);
  check((await page.locator('#responsible').innerText()).includes('上州市人民检察院'),
    'the district console does not show the city responsible');
  check(!(await offered('review_opinion')), 'the district procuratorate is offered 复查复核意见');
  check(!(await offered('request_review')), 'the district procuratorate is offered 申请复查复核 again');
  await shot(page, 'district-after-request');
  await logout(page);
});

await step('市检察院作出复查意见 / the city gives the review opinion', async () => {
  await login(page, city, 'chengban');
  await openItem(city, no);
  await act('review_opinion', async (form) => {
    await form.locator('textarea[name=note]').fill('经复查，原答复意见认定事实清楚，处理适当，予以维持。');
  });
  check((await page.locator('#item-status').innerText()).includes('已办结答复'),
    `status is "${await page.locator('#item-status').innerText()}"`);
  const history = await page.locator('#history').innerText();
  check(history.includes('复查复核意见'), `the history does not show the opinion: ${history}`);
  await shot(page, 'city-reviewed');
  await logout(page);
});

await close();
console.log('通过 / passed');
