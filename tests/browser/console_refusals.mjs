// What the console refuses, and says why (see console_test.cc): a wrong
// password, a form posted without its CSRF token, another agency's item, a
// registrar trying a head's step and a handler opening the accounts page.
// A message the hub refuses (here the office's own system sending the court
// an aid agent's notice, a type the ACL reserves) turns 待办 red and is
// listed in 发送失败 until someone marks it seen. So does a delivery the
// court refused for its signature (the C++ side made one before the script:
// a note "from" the political-legal committee signed with another key than
// the one the court pinned for it; REFUSED_ID), in 拒收的消息 below.
// Every refusal is in the action log that the leader reads.
// 拒绝并说明理由：密码错误、缺少表单校验码、他机关事项、越权操作、枢纽拒收的消息、签名未通过而拒收的来件；均记入操作记录。
import { launch, step, check, shot, clickAndLoad } from './lib/browser.mjs';
import { login, logout, password, flash } from './lib/console.mjs';

const office = process.env.OFFICE_URL;
const court = process.env.COURT_URL;
const { page, close } = await launch();

await step('密码错误 / a wrong password', async () => {
  await page.goto(`${office}/login`);
  await page.getByLabel('账号').fill('dengji');
  await page.getByLabel('密码').fill('not-the-password-1');
  await clickAndLoad(page, page.getByRole('button', { name: '登录' }));
  const error = await page.locator('#login-error').innerText();
  check(error.includes('用户名或密码错误'), `error: ${error}`);
  check(await page.locator('input[name=password].invalid').count() === 1, 'the password field is not red');
  await shot(page, 'login-wrong-password');
});

await step('缺少校验码的登录被拒绝 / a login form without its CSRF token is refused', async () => {
  // (A page of another site could post a login form to the console; it has
  // neither the form's token nor its cookie.)
  await page.goto(`${office}/login`);
  await page.getByLabel('账号').fill('dengji');
  await page.getByLabel('密码').fill(password);
  await page.locator('form input[name=csrf]').evaluate((e) => e.remove());
  await clickAndLoad(page, page.getByRole('button', { name: '登录' }));
  const error = await page.locator('#login-error').innerText();
  check(error.includes('校验码'), `error: ${error}`);
  check(!(await page.locator('h1').first().innerText()).includes('待办'), 'logged in without a token');
  await shot(page, 'login-without-csrf');
});

let no;
await step('缺少表单校验码的提交被拒绝 / a form without its CSRF token is refused', async () => {
  await login(page, office, 'dengji');
  // The registrar's own form, with its token taken out.
  await page.goto(`${office}/petitions/new`);
  await page.locator('textarea[name=matter]').fill('测试：无校验码');
  await page.locator('#register input[name=csrf]').evaluate((e) => e.remove());
  await clickAndLoad(page, page.getByRole('button', { name: '登记' }));
  const reason = await page.locator('#refusal').innerText();
  check(reason.includes('校验码'), `reason: ${reason}`);
  await shot(page, 'refused-csrf');
  // A real one, for the next steps.
  await page.goto(`${office}/petitions/new`);
  await page.locator('textarea[name=matter]').fill('反映邻里纠纷调解不到位');
  await clickAndLoad(page, page.getByRole('button', { name: '登记' }), '**/petitions/item?no=*');
  no = new URL(page.url()).searchParams.get('no');
});

await step('登记员不能受理分流 / a registrar may not accept (a head\'s step)', async () => {
  check(await page.locator('form[data-action=accept]').count() === 0, 'the registrar is offered 受理');
  // Posting the step anyway (a forged form with a valid token) is refused with the role needed.
  const csrf = await page.locator('form[data-action] input[name=csrf]').first().getAttribute('value')
    .catch(() => null) ?? await page.evaluate(() => document.querySelector('input[name=csrf]')?.value);
  check(csrf, 'no csrf token on the page');
  await page.evaluate(({ no, csrf }) => {
    const f = document.createElement('form');
    f.method = 'post';
    f.action = '/petitions/act';
    for (const [k, v] of Object.entries({ csrf, no, action: 'accept', department: '办信科', handler: '李承办' })) {
      const i = document.createElement('input');
      i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  }, { no, csrf });
  await page.waitForSelector('#refusal');
  const reason = await page.locator('#refusal').innerText();
  check(reason.includes('部门负责人'), `reason: ${reason}`);
  await shot(page, 'refused-role');
  await page.goto(`${office}/admin/accounts`);
  check((await page.locator('#refusal').innerText()).includes('管理员'), 'the accounts page is not refused');
  await logout(page);
});

await step('他机关的事项不能查看 / another agency\'s item is refused', async () => {
  await login(page, court, 'dengji');
  await page.goto(`${court}/petitions/item?no=${encodeURIComponent(no)}`);
  const reason = await page.locator('#refusal').innerText();
  check(reason.includes('无权查看'), `reason: ${reason}`);
  await shot(page, 'refused-other-agency');
  await logout(page);
});

await step('枢纽拒收的消息红色提示并列出 / a message the hub refused is shown in red and listed', async () => {
  await login(page, office, 'dengji');
  check(await page.locator('#failed-notice').count() === 0, 'a failed notice before anything failed');
  check(await page.locator('nav.tabs a[href="/failed"]').count() === 0, 'a 发送失败 tab before anything failed');
  // The office's own system (its API, no person) sends the court a notice only the aid agent may send.
  const api = process.env.OFFICE_API;
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${process.env.API_TOKEN}` };
  const sent = await fetch(`${api}/publish`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ to: ['court'], type: 'concord.v1.AidDuplicateNotice', payload: {} }),
  });
  const answer = await sent.text();
  check(sent.status === 202, `publish: ${sent.status} ${answer}`);
  const id = JSON.parse(answer).id;
  const deadline = Date.now() + 15000;
  for (;;) {
    const outbox = await (await fetch(`${api}/outbox`, { headers })).json();
    if (outbox.failed.some((f) => f.id === id)) break;
    check(Date.now() < deadline, `the hub did not refuse ${id}: ${JSON.stringify(outbox)}`);
    await page.waitForTimeout(200);
  }

  await page.goto(`${office}/`);
  const notice = await page.locator('#failed-notice').innerText();
  check(notice.includes('1 条消息发送失败，对方机关未收到'), `notice: ${notice}`);
  const tab = await page.locator('nav.tabs a[href="/failed"]').innerText();
  check(tab.includes('发送失败') && tab.includes('1'), `tab: ${tab}`);
  await shot(page, 'failed-notice');
  await clickAndLoad(page, page.locator('#failed-notice a'), '**/failed');
  const row = page.locator(`#failed tr[data-id="${id}"]`);
  const text = await row.innerText();
  for (const want of ['重复救助提示', '上州区人民法院', '本机关业务系统（接口）', '无权发送', '只能由', id]) {
    check(text.includes(want), `the row has no ${want}: ${text}`);
  }
  check(await row.evaluate((e) => e.classList.contains('overdue')), 'the unseen row is not red');
  await shot(page, 'failed-list');

  await clickAndLoad(page, row.getByRole('button', { name: '已知悉' }), '**/failed');
  check((await flash(page)).includes('已知悉'), `flash: ${await flash(page)}`);
  const seen = await row.innerText();
  check(seen.includes('已知悉：登记员 王登记'), `seen: ${seen}`);
  await shot(page, 'failed-seen');
  const noRefused = await page.locator('#refused-empty').innerText();
  check(noRefused.includes('没有拒收的消息'), `refused: ${noRefused}`);
  await page.goto(`${office}/`);
  check(await page.locator('#failed-notice').count() === 0, 'the notice stays after it was seen');
  await logout(page);
});

await step('签名未通过的来件被拒收并说明 / a delivery refused for its signature is shown and explained', async () => {
  const id = process.env.REFUSED_ID;
  check(id, 'no REFUSED_ID from the C++ side');
  await login(page, court, 'dengji');
  const notice = await page.locator('#failed-notice').innerText();
  check(notice.includes('1 条收到的消息签名核验未通过，已拒收'), `notice: ${notice}`);
  check(!notice.includes('发送失败'), `the court sent nothing that failed: ${notice}`);
  const tab = await page.locator('nav.tabs a[href="/failed"]').innerText();
  check(tab.includes('发送失败') && tab.includes('1'), `tab: ${tab}`);
  await shot(page, 'refused-notice');
  await clickAndLoad(page, page.locator('#failed-notice a'), '**/failed#refused');
  // Nothing the court sent failed: said so, above the refused delivery.
  const empty = await page.locator('#failed-empty').innerText();
  check(empty.includes('没有发送失败的消息'), `empty: ${empty}`);
  const heading = await page.locator('#refused').innerText();
  check(heading.includes('拒收的消息') && heading.includes('1 条') && heading.includes('1 条未知悉'), `heading: ${heading}`);
  const hint = await page.locator('#refused-hint').innerText();
  for (const want of ['签名核验未通过', '篡改', '伪造', '没有办理', '信息科', 'concordctl keys trust', '3.4']) {
    check(hint.includes(want), `the explanation has no ${want}: ${hint}`);
  }
  const row = page.locator(`#refused-list tr[data-id="${id}"]`);
  const text = await row.innerText();
  for (const want of ['上州区委政法委', '文字消息', '签名密钥与此前记下的不同', 'concordctl keys trust', id]) {
    check(text.includes(want), `the row has no ${want}: ${text}`);
  }
  const headers = await page.locator('#refused-list thead').innerText();
  for (const want of ['时间', '发件机关', '消息类型', '原因', '编号']) {
    check(headers.includes(want), `no column ${want}: ${headers}`);
  }
  check(await row.evaluate((e) => e.classList.contains('overdue')), 'the unseen row is not red');
  await shot(page, 'refused-list');

  await clickAndLoad(page, row.getByRole('button', { name: '已知悉' }), '**/failed#refused');
  check((await flash(page)).includes('已知悉'), `flash: ${await flash(page)}`);
  const seen = await row.innerText();
  check(seen.includes('已知悉：登记员 钱立案'), `seen: ${seen}`);
  check(!(await row.evaluate((e) => e.classList.contains('overdue'))), 'the seen row is still red');
  check(await page.locator('nav.tabs a[href="/failed"] .badge').count() === 0, 'the menu still counts it');
  await shot(page, 'refused-seen');
  await page.goto(`${court}/`);
  check(await page.locator('#failed-notice').count() === 0, 'the notice stays after it was seen');
  await logout(page);
  // The court's leader finds who marked it in the action log.
  await login(page, court, 'lingdao');
  await clickAndLoad(page, page.getByRole('link', { name: '操作记录' }));
  const log = await page.locator('#actions').innerText();
  check(log.includes('refused.seen') && log.includes(id), `the court's log has no refused.seen: ${log}`);
  await logout(page);
});

await step('领导在操作记录中看到每次拒绝 / the leader sees every refusal in the log', async () => {
  await login(page, office, 'lingdao');
  await clickAndLoad(page, page.getByRole('link', { name: '操作记录' }));
  const log = await page.locator('#actions').innerText();
  for (const what of ['login', 'petition.accept', 'account.list', 'petition.register', 'failed.seen']) {
    check(log.includes(what), `the log has no ${what}: ${log}`);
  }
  check(log.includes('拒绝'), 'no refusal in the log');
  await shot(page, 'action-log');
});

await close();
console.log('通过 / passed');
