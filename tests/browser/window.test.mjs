// One letter from deposit to reply, in a real browser with JavaScript OFF, in Arabic and in
// French: a citizen deposits it through the journey; the registry clerk finds it in the
// correspondence window and assigns it to a service; the head of that service gives it to an
// agent; the agent starts and writes the reply from a template; it goes through its circuit (visa,
// then the signer's signature with the demo TOTP code) (it is
// registered in the outgoing register and delivered); the citizen sees the entry answered and
// downloads the sealed reply. Every page met is checked (lang/dir, raw keys, weight) and run
// through axe (WCAG 2.2 AA) as in registry.test.mjs. A stale form gets the 409 message.
//   IDARA_BIN=build/debug/app/idara node --test tests/browser/window.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IdaraServer, NoScriptChecks, freshDemoCode, launchBrowser, minimalPdf, newContext, pathOf, submit,
} from './harness.mjs';

const T = {
  ar: { subject: 'طلب رخصة لاستغلال الملك العمومي', body: 'السلام عليكم،\nأرجو منحي رخصة.', answered: 'تم الرد',
    reply: 'يسرنا إخباركم بالموافقة على طلبكم.', conflict: 'غيّر شخص آخر هذا الملف' },
  fr: { subject: "Demande d'autorisation d'occupation du domaine public", body: 'Madame, Monsieur,\nJe sollicite une autorisation.',
    answered: 'Répondu', reply: "Nous avons le plaisir de vous informer que votre demande est acceptée.",
    conflict: 'autre a modifié ce dossier au même moment' },
};
const CITIZEN = { ar: 'amina.elmansouri@example.ma', fr: 'youssef.benali@example.ma' };
const NUMBER = /^MEF-\d{4}-\d{6}$/;

const server = new IdaraServer();
let browser;
const ui = new NoScriptChecks(server);

before(async () => {
  await server.start();
  browser = await launchBrowser();
  await ui.open(browser);
}, { timeout: 180_000 });

after(async () => {
  await ui.close();
  await browser?.close();
  await server.stop();
}, { timeout: 60_000 });

async function as(lang, login) {
  const ctx = await newContext(browser, { lang, javaScript: false });
  const page = await ctx.newPage();
  const who = server.account(login);
  await page.goto(server.url('/login'));
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await submit(page, 'main form button[type=submit]');
  assert.notEqual(new URL(page.url()).pathname, '/login', `signed in as ${login}`);
  // The visitor's language, whatever the account's preference.
  await page.goto(server.url(`/lang/${lang}?next=/`));
  return { ctx, page };
}

async function deposit(lang) {
  const { ctx, page } = await as(lang, CITIZEN[lang]);
  await page.goto(server.url('/deposit/administration'));
  await page.check('input[name=administration][value=MEF]');
  await submit(page, 'form[action="/deposit/type"] button[type=submit]');
  await page.check('input[name=type][value=letter]');
  await submit(page, 'form[action="/deposit/details"] button[type=submit]');
  await page.fill('#subject', T[lang].subject);
  await page.fill('#body', T[lang].body);
  await submit(page, 'form[action="/deposit/check"] button[type=submit]');
  await page.setInputFiles('#files', { name: `demande-${lang}.pdf`, mimeType: 'application/pdf', buffer: minimalPdf(lang) });
  const done = await submit(page, 'form[action="/deposit"] button.button[type=submit]');
  assert.equal(done.status(), 200);
  const number = (await page.textContent('#register-number')).trim();
  assert.match(number, NUMBER);
  return { ctx, page, number };
}

for (const lang of ['ar', 'fr']) {
  test(`a letter goes from deposit to reply in the correspondence window (${lang})`, { timeout: 420_000 }, async () => {
    const citizen = await deposit(lang);
    const { number } = citizen;

    // The registry clerk: the new letter is in the registry inbox; assign it to the service.
    const clerk = await as(lang, 'bureau.ordre@mef.gov.ma');
    await ui.goto(clerk.page, '/window?inbox=registry', `${lang}-window-registry`);
    assert.equal(await clerk.page.locator(`a[href="/window/${number}"]`).count(), 1, 'listed in the registry inbox');
    await submit(clerk.page, `a[href="/window/${number}"]`);
    await ui.check(clerk.page, `${lang}-window-dossier-clerk`);
    await clerk.page.selectOption('#a-lead', 'DB-SP');
    await clerk.page.check('#a-copy-DB');
    const csrf = await clerk.page.getAttribute('form[action$="/assign"] input[name=_csrf]', 'value');
    const version = await clerk.page.getAttribute('form[action$="/assign"] input[name=version]', 'value');
    await submit(clerk.page, 'form[action$="/assign"] button[type=submit]');
    assert.match(pathOf(clerk.page), /\?done=assign$/);
    assert.equal(await clerk.page.locator('.panel[role=status]').count(), 1, 'a notice says it is done');
    // The same form sent again with the version it showed: 409 with the message, nothing lost.
    const conflict = await clerk.page.request.post(server.url(`/window/${number}/assign`),
      { form: { _csrf: csrf, version, lead: 'DB' } });
    assert.equal(conflict.status(), 409);
    assert.match(await conflict.text(), new RegExp(T[lang].conflict));
    await clerk.ctx.close();

    // The head of the service gives it to the agent.
    const head = await as(lang, 'chef.service@mef.gov.ma');
    await ui.goto(head.page, '/window?inbox=unit', `${lang}-window-unit`);
    await submit(head.page, `a[href="/window/${number}"]`);
    await head.page.selectOption('#d-agent', { label: 'Karim Bennani' });
    await submit(head.page, 'form[action$="/dispatch"] button[type=submit]');
    assert.match(pathOf(head.page), /\?done=dispatch$/);
    await head.ctx.close();

    // The agent starts, then writes the reply from the "answer" template.
    const agent = await as(lang, 'agent@mef.gov.ma');
    await ui.goto(agent.page, '/window?inbox=mine', `${lang}-window-mine`);
    await submit(agent.page, `a[href="/window/${number}"]`);
    await submit(agent.page, 'form[action$="/start"] button[type=submit]');
    assert.match(pathOf(agent.page), /\?done=start$/);
    await ui.check(agent.page, `${lang}-window-dossier-agent`);
    await agent.page.selectOption('#r-template', 'answer');
    await agent.page.selectOption('#r-lang', lang);
    await agent.page.fill('#r-body', T[lang].reply);
    await submit(agent.page, 'form[action$="/reply"] button[type=submit]');
    const letterPath = new URL(agent.page.url()).pathname;
    assert.match(letterPath, /^\/letters\/\d+$/, 'the reply went to the signer');
    await agent.ctx.close();

    // The reply goes through its e-parapheur circuit: the unit head's visa, then the signer's
    // signature (password + the demo TOTP code); it is then registered and delivered.
    const signer = await as(lang, 'signataire@mef.gov.ma');
    await ui.goto(signer.page, '/letters', `${lang}-letters-queue`);
    await ui.goto(signer.page, '/letters/new', `${lang}-letter-new`);  // a letter that starts here: the form
    await ui.goto(signer.page, letterPath, `${lang}-letter-pending`);
    assert.equal(await signer.page.locator('#approve').count(), 0, 'no approval on the letter page');
    const circuit = await signer.page.getAttribute('a[href^="/parapheur/"]', 'href');
    assert.match(circuit, /^\/parapheur\/\d+$/, 'the letter links to its circuit');
    const visa = await as(lang, 'chef.service@mef.gov.ma');
    await ui.goto(visa.page, circuit, `${lang}-circuit-visa`);
    await submit(visa.page, '#approve');
    assert.match(pathOf(visa.page), /\?done=approved$/);
    await visa.ctx.close();
    await ui.goto(signer.page, circuit, `${lang}-circuit-sign`);
    await signer.page.fill('#sign_password', server.account('signataire@mef.gov.ma').password);
    await signer.page.fill('#totp_code', await freshDemoCode());
    await submit(signer.page, '#sign');
    assert.match(pathOf(signer.page), /\?done=signed$/);
    await ui.goto(signer.page, letterPath, `${lang}-letter-approved`);
    assert.match(await signer.page.innerText('main'), /MEF-S-\d{4}-\d{6}/, 'an outgoing number');
    await signer.ctx.close();

    // The citizen: the entry is answered and the sealed reply is there.
    await ui.goto(citizen.page, `/deposits/${number}`, `${lang}-deposit-answered`);
    assert.match(await citizen.page.innerText('main'), new RegExp(T[lang].answered));
    const href = await citizen.page.getAttribute('a[href$="/letter.pdf"]', 'href');
    assert.ok(href, 'a link to the reply');
    const res = await citizen.ctx.request.get(server.url(href));
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    assert.equal((await res.body()).subarray(0, 4).toString('latin1'), '%PDF');
    await citizen.ctx.close();
  });
}

test('no page met had an accessibility or rendering problem', () => {
  assert.deepEqual(ui.problems, []);
});
