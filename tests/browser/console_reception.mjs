// The chief procurator's reception days (检察长接待日) walked through the
// consoles of two agencies (see console_reception_test.cc): the
// procuratorate's head publishes a slot (a slot too short is refused with
// the end time marked), the petition office's registrar books a petitioner
// (a booking past the places left is refused with the number of people
// marked) and cancels another, a handler cannot publish, and on the day
// (the drill clock moved) the procuratorate's handler records the visit and
// registers the petition raised there, whose history names him.
// 检察长接待日：公布接待日、预约、约满被拒、角色不符被拒、记录接待情况并登记信访事项。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout, flash, moveClock } from './lib/console.mjs';

const office = process.env.OFFICE_URL;
const procuratorate = process.env.PROCURATORATE_URL;
const { page, close } = await launch();

// Tomorrow in Beijing, as the browser's date-time fields take it.
const beijingDay = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
const day = beijingDay(Date.now() + 86400 * 1000);
const startsMs = Date.parse(`${day}T09:00:00+08:00`);

async function openReception() {
  await clickAndLoad(page, page.getByRole('link', { name: '接待日' }), '**/reception');
  check((await page.locator('h1').first().innerText()).includes('检察长接待日'), 'no 接待日 page');
}

// Opens the <details> of a form (data-step) and returns it.
async function openForm(selector) {
  const d = page.locator(selector).first();
  check(await d.count() === 1, `no form ${selector} on the page`);
  if ((await d.getAttribute('open')) === null) await d.locator('summary').click();
  return d;
}

const slotRow = () => page.locator('#upcoming tbody.slot').first();

// Fills the booking form and submits it: `url` is where the answer lands
// (/reception after a booking, /reception/book when it is refused).
async function book(petitioner, people, matter, url = '**/reception') {
  const d = await openForm('#book');
  await d.locator('input[name=petitioner]').fill(petitioner);
  await d.locator('input[name=contact]').fill('13600000000');
  await d.locator('textarea[name=matter]').fill(matter);
  await d.locator('input[name=case_ref]').fill('（2026）上0102民初123号');
  await d.locator('input[name=people]').fill(String(people));
  await clickAndLoad(page, d.getByRole('button', { name: '预约' }), url);
}

await step('检察院部门负责人公布接待日 / the procuratorate\'s head publishes a slot', async () => {
  await login(page, procuratorate, 'fuze');
  await openReception();
  check((await page.locator('#no-upcoming').count()) === 1, 'a new district has slots');
  const years = await page.locator('#reception-years').innerText();
  check(years.includes('上州区人民检察院') && years.includes('尚缺 12 次'), `years: ${years}`);
  const d = await openForm('#publish');
  await d.locator('input[name=host]').fill('检察长 周某');
  await d.locator('input[name=place]').fill('12309检察服务中心');
  await d.locator('input[name=starts]').fill(`${day}T09:00`);
  await d.locator('input[name=ends]').fill(`${day}T10:00`);
  await d.locator('input[name=capacity]').fill('3');
  // An hour is not half a day: the ledger refuses, the form comes back with the end marked.
  await clickAndLoad(page, d.getByRole('button', { name: '公布接待日' }), '**/reception/slot');
  const again = page.locator('#publish');
  const error = await again.locator('.flash.error').innerText();
  check(error.includes('账本未接受') && error.includes('半天'), `error: ${error}`);
  check(await again.locator('input[name=ends].invalid').count() === 1, 'the end time is not marked');
  check(await again.locator('input[name=host]').inputValue() === '检察长 周某', 'the entered slot was lost');
  await shot(page, 'publish-refused');
  await again.locator('input[name=ends]').fill(`${day}T12:00`);
  await clickAndLoad(page, again.getByRole('button', { name: '公布接待日' }), '**/reception');
  check((await flash(page)).includes('已公布接待日'), `flash is "${await flash(page)}"`);
  const row = await slotRow().locator('tr.slot-row').innerText();
  check(row.includes('检察长 周某') && row.includes('已约 0 / 3') && row.includes('可预约'), `slot: ${row}`);
  check((await page.locator('#reception-years').innerText()).includes('尚缺 11 次'), 'the year does not count it');
  await shot(page, 'slot-published');
  await logout(page);
});

await step('信访局登记员预约 / the petition office\'s registrar books', async () => {
  await login(page, office, 'dengji');
  await openReception();
  check((await page.locator('#publish').count()) === 0, 'the petition office is offered to publish');
  await book('陈某', 2, '申请检察机关监督民事判决执行');
  check((await flash(page)).includes('已预约：陈某'), `flash is "${await flash(page)}"`);
  check((await slotRow().locator('tr.slot-row').innerText()).includes('已约 2 / 3'), 'two places not taken');
  // Two more people than the one place left: refused, the number of people marked.
  await book('张某', 2, '不服不起诉决定', '**/reception/book');
  const d = page.locator('#book');
  const error = await d.locator('.flash.error').innerText();
  check(error.includes('约满'), `error: ${error}`);
  check(await d.locator('input[name=people].invalid').count() === 1, 'the people are not marked');
  check(await d.locator('input[name=petitioner]').inputValue() === '张某', 'the entered booking was lost');
  await shot(page, 'booking-full');
  // One person fits; then that booking is cancelled and its place is free again.
  await d.locator('input[name=people]').fill('1');
  await clickAndLoad(page, d.getByRole('button', { name: '预约' }), '**/reception');
  check((await slotRow().locator('tr.slot-row').innerText()).includes('已约 3 / 3'), 'not full');
  check((await slotRow().locator('tr.slot-row').innerText()).includes('已约满'), 'not shown as full');
  const zhang = slotRow().locator('tr.booking', { hasText: '张某' });
  await clickAndLoad(page, zhang.getByRole('button', { name: '取消预约' }), '**/reception');
  check((await flash(page)).includes('已取消预约'), `flash is "${await flash(page)}"`);
  check((await zhang.innerText()).includes('已取消'), 'the booking is not cancelled');
  check((await slotRow().locator('tr.slot-row').innerText()).includes('已约 2 / 3'), 'the place is not free');
  await shot(page, 'booked');
  await logout(page);
});

await step('承办人不能安排接待日 / a handler may not publish a slot', async () => {
  await login(page, procuratorate, 'jiuzhu');
  await openReception();
  check((await page.locator('#publish').count()) === 0, 'the handler is offered to publish');
  const hint = await page.locator('#publish-hint').innerText();
  check(hint.includes('部门负责人') && hint.includes('院/局领导'), `hint: ${hint}`);
  const bookings = await slotRow().locator('table.bookings').innerText();
  check(bookings.includes('陈某') && bookings.includes('上州区信访局'), `the host does not see the booking: ${bookings}`);
  // Posting a slot anyway (a forged form with a valid token) is refused with the roles needed.
  const csrf = await page.evaluate(() => document.querySelector('input[name=csrf]')?.value);
  check(csrf, 'no csrf token on the page');
  await page.evaluate(({ csrf, day }) => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = '/reception/slot';
    const fields = { csrf, form: 'publish', slot_id: 'forged', host: '检察长 周某', place: '大厅',
      starts: `${day}T14:00`, ends: `${day}T17:00`, capacity: '5' };
    for (const [k, v] of Object.entries(fields)) {
      const i = document.createElement('input');
      i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  }, { csrf, day });
  await page.waitForSelector('#refusal');
  const reason = await page.locator('#refusal').innerText();
  check(reason.includes('部门负责人') && reason.includes('院/局领导'), `reason: ${reason}`);
  await shot(page, 'refused-handler-publish');
});

await step('接待当日记录接待情况并登记信访 / on the day the host records the visit and registers the petition', async () => {
  moveClock(startsMs + 3600 * 1000 - Date.now());  // 10:00 on the day
  await openReception();
  const row = slotRow();
  check((await row.locator('tr.slot-row').innerText()).includes('接待中'), 'the reception has not begun');
  const d = row.locator('details[data-step=outcome]', { hasText: '陈某' });
  await d.locator('summary').click();
  await d.getByLabel('到场', { exact: true }).check();
  await d.locator('textarea[name=note]').fill('检察长当面听取意见，释法说理；对执行监督申请依法受理审查');
  await d.locator('input[name=register]').check();
  await d.locator('textarea[name=matter]').fill('申请检察机关对（2026）上0102民初123号民事判决执行活动进行监督');
  await shot(page, 'outcome-form');
  await clickAndLoad(page, d.getByRole('button', { name: '保存接待情况' }), '**/reception');
  const f = await flash(page);
  check(f.includes('已记录：到场') && f.includes('已登记为信访事项 信-'), `flash is "${f}"`);
  const chen = slotRow().locator('tr.booking', { hasText: '陈某' });
  check((await chen.innerText()).includes('到场'), 'the booking does not say 到场');
  await shot(page, 'outcome-recorded');
  await clickAndLoad(page, chen.locator('a.raised'), '**/petitions/item?no=*');
  const history = await page.locator('#history').innerText();
  check(history.includes('承办人 冯救助'), `the history does not name who recorded it: ${history}`);
  check(history.includes('检察长接待日'), `the history does not say where it was raised: ${history}`);
  await shot(page, 'raised-item');
  await logout(page);
});

await step('信访局看到接待结果 / the petition office sees the outcome', async () => {
  await login(page, office, 'dengji');
  await openReception();
  const chen = slotRow().locator('tr.booking', { hasText: '陈某' });
  const text = await chen.innerText();
  check(text.includes('到场') && text.includes('释法说理'), `the booker's row: ${text}`);
  check((await chen.getByRole('button', { name: '取消预约' }).count()) === 0, 'a visit recorded can still be cancelled');
  await shot(page, 'office-sees-outcome');
  await logout(page);
});

await close();
