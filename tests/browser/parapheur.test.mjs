// The e-parapheur in a real browser, JavaScript OFF for every journey, in Arabic and French:
// a reply drafted by an agent goes through the administration's outgoing-letter circuit —
// visa by the unit head, then the signer's signature with their password and a TOTP code
// (computed here with crypto.createHmac from the demo secret of docs/DEMO.md) — and the
// letter is approved (numbered) and delivered to the depositor's space.
// The deposit and the draft are made through the JSON API; the circuit is driven through the
// pages under test (/parapheur, /parapheur/{id}), whose HTML goes through axe (WCAG 2.2 AA)
// in a separate, script-enabled page.
//   IDARA_BIN=build/debug/app/idara node --test tests/browser/parapheur.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_TOTP_SECRET, IdaraServer, NoScriptChecks, freshDemoCode, launchBrowser, minimalPdf, newContext, pathOf, submit, totpAt,
} from './harness.mjs';

const CITIZEN = { ar: 'amina.elmansouri@example.ma', fr: 'youssef.benali@example.ma' };
const SIGNER = 'signataire@mef.gov.ma';
const CLERK = 'bureau.ordre@mef.gov.ma';
const HEAD = 'chef.service@mef.gov.ma';
const AGENT = 'agent@mef.gov.ma';
const LEAD_UNIT = 'DB-SP';
const T = {
  ar: { subject: 'طلب رخصة', reply: 'جواب على طلب الرخصة', body: 'يسعدنا إخباركم بقبول طلبكم.' },
  fr: { subject: 'Demande de licence', reply: 'Réponse à votre demande de licence', body: 'Votre demande est acceptée.' },
};

test('the TOTP code computation matches RFC 6238 (SHA-1, 6 digits)', () => {
  const b32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';  // base32 of the RFC's key "12345678901234567890"
  assert.equal(totpAt(b32, Math.floor(59 / 30)), '287082');
  assert.equal(totpAt(b32, Math.floor(1111111109 / 30)), '081804');
  assert.equal(totpAt(b32, Math.floor(2000000000 / 30)), '279037');
});

// ---- The server and the JSON API

const server = new IdaraServer();
let browser;
const ui = new NoScriptChecks(server);
const tokens = {};

before(async () => {
  await server.start();
  assert.match(server.initOutput, new RegExp(DEMO_TOTP_SECRET), 'init prints the demo second factor');
  for (const login of [...Object.values(CITIZEN), CLERK, HEAD, AGENT]) tokens[login] = createToken(login);
  browser = await launchBrowser();
  await ui.open(browser);
}, { timeout: 180_000 });

after(async () => {
  await ui.close();
  await browser?.close();
  await server.stop();
}, { timeout: 60_000 });

const createToken = (login) => server.createToken(login);
const api = (login, ...rest) => server.api(tokens[login], ...rest);

async function depositInProgress(citizen, subject) {
  const boundary = '----idaraParapheurBoundary3';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="deposit"\r\nContent-Type: application/json\r\n\r\n`
      + `${JSON.stringify({ administration: 'MEF', type: 'request', subject, body: subject })}\r\n`
      + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="demande.pdf"\r\n`
      + 'Content-Type: application/pdf\r\n\r\n'),
    minimalPdf(subject), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const res = await fetch(server.url('/api/v1/deposits'), {
    method: 'POST', body: payload,
    headers: { Authorization: `Bearer ${tokens[citizen]}`, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  const number = JSON.parse(text).register_number;
  const e = `/api/v1/entries/${number}`;
  let { version } = await api(CLERK, 'GET', e);
  ({ version } = await api(CLERK, 'POST', `${e}/assign`, { version, lead: LEAD_UNIT }));
  const staff = await api(HEAD, 'GET', '/api/v1/staff');
  const agent = staff.staff.find((s) => s.login === AGENT);
  ({ version } = await api(HEAD, 'POST', `${e}/dispatch`, { version, agent: agent.id }));
  ({ version } = await api(AGENT, 'POST', `${e}/start`, { version }));
  return number;
}

// ---- The journey

for (const lang of ['ar', 'fr']) {
  test(`a reply goes through visa and signature with a second factor (${lang})`, { timeout: 300_000 }, async () => {
    const number = await depositInProgress(CITIZEN[lang], T[lang].subject);
    const created = await api(AGENT, 'POST', '/api/v1/letters', {
      in_reply_to: number, lang, subject: T[lang].reply, template: 'answer', body: T[lang].body, recipient: { kind: 'depositor' },
    }, 201);
    await api(AGENT, 'POST', `/api/v1/letters/${created.id}/submit`, { version: created.version });

    // The unit head finds it in their queue and gives the visa.
    const hctx = await newContext(browser, { lang, javaScript: false });
    const head = await hctx.newPage();
    await ui.signIn(head, HEAD);
    await head.goto(server.url(`/lang/${lang}?next=/parapheur`));
    assert.equal(pathOf(head), '/parapheur');
    await ui.check(head, `${lang}-parapheur-queue`);
    const row = head.locator('table tbody tr', { hasText: T[lang].reply });
    assert.equal(await row.count(), 1, 'the letter waits for the visa');
    const href = await row.locator('a').first().getAttribute('href');
    assert.match(href, /^\/parapheur\/\d+$/);
    await submit(head, `a[href="${href}"]`);
    assert.equal(pathOf(head), href);
    const imgs = head.locator('.document-pages img');
    assert.ok(await imgs.count() >= 1, 'the pages as images');
    assert.match(await imgs.first().getAttribute('alt'), /1/);
    const png = await hctx.request.get(server.url(await imgs.first().getAttribute('src')));
    assert.equal(png.status(), 200);
    assert.equal(png.headers()['content-type'], 'image/png');
    assert.equal((await png.body()).readUInt32BE(16), 1000, 'a 1000-pixel-wide page');
    assert.equal(await head.locator('#sign').count(), 0, 'a visa, not a signature');
    await ui.check(head, `${lang}-parapheur-visa`);
    const visa = await submit(head, '#approve');
    assert.equal(visa.status(), 200);
    assert.equal(pathOf(head), `${href}?done=approved`);
    assert.equal(await head.locator('[role=status]').count(), 1);
    await hctx.close();

    // The signer signs with the password and a TOTP code; a wrong code first.
    const sctx = await newContext(browser, { lang, javaScript: false });
    const signer = await sctx.newPage();
    await ui.signIn(signer, SIGNER);
    await signer.goto(server.url(`/lang/${lang}?next=/parapheur`));
    assert.equal(await signer.locator(`a[href="${href}"]`).count(), 1, 'in the signer\'s queue now');
    await submit(signer, `a[href="${href}"]`);
    assert.equal(await signer.getAttribute('#totp_code', 'autocomplete'), 'one-time-code');
    await ui.check(signer, `${lang}-parapheur-sign`);
    const password = server.account(SIGNER).password;
    await signer.fill('#sign_password', password);
    const now = totpAt(DEMO_TOTP_SECRET, Math.floor(Date.now() / 1000 / 30));
    await signer.fill('#totp_code', now === '000000' ? '111111' : '000000');
    const bad = await submit(signer, '#sign');
    assert.equal(bad.status(), 401);
    assert.equal(await signer.getAttribute('.error-summary a', 'href'), '#sign_password');
    assert.equal(await signer.inputValue('#sign_password'), '', 'the password is not echoed');
    await ui.check(signer, `${lang}-parapheur-sign-error`);
    await signer.fill('#sign_password', password);
    await signer.fill('#totp_code', await freshDemoCode());
    const signed = await submit(signer, '#sign');
    assert.equal(signed.status(), 200);
    assert.equal(pathOf(signer), `${href}?done=signed`);
    assert.equal(await signer.locator('#sign').count(), 0, 'signed once');
    await ui.check(signer, `${lang}-parapheur-signed`);

    // The letter is approved (numbered) and links to its circuit.
    await ui.goto(signer, `/letters/${created.id}`, `${lang}-letter-after-circuit`);
    assert.equal(await signer.locator(`a[href="${href}"]`).count(), 1, 'the letter links to its circuit');
    const reg = (await signer.textContent('#state .reference')).trim();
    assert.match(reg, /^MEF-S-\d{4}-\d{6}$/);
    await sctx.close();

    // Delivered to the depositor's space.
    const cctx = await newContext(browser, { lang, javaScript: false });
    const citizen = await cctx.newPage();
    await ui.signIn(citizen, CITIZEN[lang]);
    await citizen.goto(server.url(`/lang/${lang}?next=/deposits/${number}`));
    assert.match(await citizen.innerText('main'), new RegExp(reg));
    assert.equal(await citizen.locator(`a[href="/letters/${created.id}/letter.pdf"]`).count(), 1);
    assert.equal(await citizen.locator('a[href^="/parapheur"]').count(), 0, 'no parapheur for the public');
    await cctx.close();
  });
}

test('no accessibility or page problems on any page met', () => {
  assert.deepEqual(ui.problems, []);
});
