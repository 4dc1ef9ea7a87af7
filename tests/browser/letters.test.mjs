// The correspondence window's letters in a real browser, JavaScript OFF for every journey:
// a signer finds a reply in the queue (/letters), reads it and follows it to its e-parapheur
// circuit, where (after the unit head's visa, given through the API) they sign it with their
// password and the demo TOTP code, in Arabic and in French; the depositor then downloads the sealed reply from their entry
// page; and a depositor completes a missing-documents request with a file.
// The state before each journey (a deposit routed to an agent, a reply submitted for
// approval, a missing-documents request) is made through the JSON API with bearer tokens
// (`idara token create`), to keep the browser part on the pages under test.
// Every page met is checked (lang/dir, raw keys, weight) and its exact HTML is run through
// axe (WCAG 2.2 AA) and the text-contrast check in a separate, script-enabled page.
//   IDARA_BIN=build/debug/app/idara node --test tests/browser/letters.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IdaraServer, NoScriptChecks, freshDemoCode, launchBrowser, minimalPdf, newContext, pathOf, submit,
} from './harness.mjs';

const CITIZEN = { ar: 'amina.elmansouri@example.ma', fr: 'youssef.benali@example.ma' };
const SIGNER = 'signataire@mef.gov.ma';
const CLERK = 'bureau.ordre@mef.gov.ma';
const HEAD = 'chef.service@mef.gov.ma';
const AGENT = 'agent@mef.gov.ma';
const LEAD_UNIT = 'DB-SP';
const T = {
  ar: { subject: 'طلب شهادة إدارية', reply: 'جواب على طلب شهادة إدارية', body: 'يسعدنا إخباركم بأن الشهادة جاهزة.',
    missing: 'نسخة من البطاقة الوطنية للتعريف الإلكترونية' },
  fr: { subject: "Demande d'attestation", reply: "Réponse à votre demande d'attestation", body: "L'attestation est prête.",
    missing: "Copie de la carte nationale d'identité électronique" },
};

const server = new IdaraServer();
let browser;
const ui = new NoScriptChecks(server);
const tokens = {};
const replies = [];  // {lang, number, letter}

before(async () => {
  await server.start();
  for (const login of [...Object.values(CITIZEN), CLERK, HEAD, AGENT, SIGNER]) tokens[login] = createToken(login);
  browser = await launchBrowser();
  await ui.open(browser);
}, { timeout: 180_000 });

after(async () => {
  await ui.close();
  await browser?.close();
  await server.stop();
}, { timeout: 60_000 });

// ---- The JSON API (the state before each journey)

const createToken = (login) => server.createToken(login);
const api = (login, ...rest) => server.api(tokens[login], ...rest);

// multipart/form-data by hand: a JSON part and a file part.
function multipart(jsonName, json, file) {
  const boundary = '----idaraLettersBoundary7';
  const chunks = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${jsonName}"\r\n`
    + `Content-Type: application/json\r\n\r\n${JSON.stringify(json)}\r\n`)];
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n`
      + 'Content-Type: application/pdf\r\n\r\n'), file.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

async function apiMultipart(login, p, body, status = 201) {
  const res = await fetch(server.url(p), {
    method: 'POST', body: body.payload,
    headers: { Authorization: `Bearer ${tokens[login]}`, 'Content-Type': body.contentType },
  });
  const text = await res.text();
  assert.equal(res.status, status, `POST ${p} → ${res.status}: ${text}`);
  return JSON.parse(text);
}

// A portal deposit by `citizen` to MEF, assigned to the lead unit, given to the agent, started.
async function depositInProgress(citizen, subject) {
  const d = await apiMultipart(citizen, '/api/v1/deposits',
    multipart('deposit', { administration: 'MEF', type: 'request', subject, body: subject },
      { name: 'demande.pdf', bytes: minimalPdf(subject) }));
  const number = d.register_number;
  const e = `/api/v1/entries/${number}`;
  let { version } = await api(CLERK, 'GET', e);
  ({ version } = await api(CLERK, 'POST', `${e}/assign`, { version, lead: LEAD_UNIT }));
  const staff = await api(HEAD, 'GET', '/api/v1/staff');
  const agent = staff.staff.find((s) => s.login === AGENT);
  ({ version } = await api(HEAD, 'POST', `${e}/dispatch`, { version, agent: agent.id }));
  ({ version } = await api(AGENT, 'POST', `${e}/start`, { version }));
  return { number, version };
}

// ---- Pages

for (const lang of ['ar', 'fr']) {
  test(`a signer signs a reply in its circuit from the queue (${lang})`, { timeout: 240_000 }, async () => {
    const { number } = await depositInProgress(CITIZEN[lang], T[lang].subject);
    const created = await api(AGENT, 'POST', '/api/v1/letters', {
      in_reply_to: number, lang, subject: T[lang].reply, template: 'answer', body: T[lang].body, recipient: { kind: 'depositor' },
    }, 201);
    const submitted = await api(AGENT, 'POST', `/api/v1/letters/${created.id}/submit`, { version: created.version });
    const circuitId = submitted.circuit_id;
    assert.ok(circuitId, 'submitting starts a circuit');

    const ctx = await newContext(browser, { lang, javaScript: false });
    const page = await ctx.newPage();
    await ui.signIn(page, SIGNER);
    await page.goto(server.url(`/lang/${lang}?next=/letters`));
    assert.equal(pathOf(page), '/letters');
    await ui.check(page, `${lang}-letters`);
    // In the queue (and already in the register: it is numbered when submitted).
    const link = `table[aria-labelledby="queue-heading"] a[href="/letters/${created.id}"]`;
    assert.equal(await page.locator(link).count(), 1, 'the reply is in the queue');
    await submit(page, link);
    assert.equal(pathOf(page), `/letters/${created.id}`);
    assert.match(await page.innerText('#letter-text'), new RegExp(T[lang].body.replace('.', '\\.')));
    assert.equal(await page.getAttribute('#letter-text', 'lang'), lang);
    assert.equal(await page.locator('#approve').count(), 0, 'approval is in the circuit');
    await ui.check(page, `${lang}-letter-pending`);

    // The unit head's visa (API), then the signature on the circuit's page.
    const circuit = `/parapheur/${circuitId}`;
    const c = await api(HEAD, 'GET', `/api/v1/circuits/${circuitId}`);
    await api(HEAD, 'POST', `/api/v1/circuits/${circuitId}/approve`, { version: c.version });
    await submit(page, `a[href="${circuit}"]`);
    assert.equal(pathOf(page), circuit);
    await page.fill('#sign_password', server.account(SIGNER).password);
    await page.fill('#totp_code', await freshDemoCode());
    const ok = await submit(page, '#sign');
    assert.equal(ok.status(), 200);
    assert.equal(pathOf(page), `${circuit}?done=signed`);
    await ui.goto(page, `/letters/${created.id}`, `${lang}-letter-approved`);
    const reg = (await page.textContent('#state .reference')).trim();
    assert.match(reg, /^MEF-S-\d{4}-\d{6}$/);
    await ui.goto(page, '/letters', `${lang}-letters-register`);
    assert.match(await page.innerText('main'), new RegExp(reg));
    replies.push({ lang, number, id: created.id, reg });
    await ctx.close();
  });
}

test('the depositor downloads the sealed reply from their entry page', { timeout: 180_000 }, async () => {
  assert.equal(replies.length, 2, 'two replies were approved');
  for (const { lang, number, id, reg } of replies) {
    const ctx = await newContext(browser, { lang, javaScript: false });
    const page = await ctx.newPage();
    await ui.signIn(page, CITIZEN[lang]);
    await page.goto(server.url(`/lang/${lang}?next=/deposits/${number}`));
    await ui.check(page, `${lang}-entry-answered`);
    const main = await page.innerText('main');
    assert.match(main, new RegExp(reg));
    const href = `/letters/${id}/letter.pdf`;
    assert.equal(await page.locator(`a[href="${href}"]`).count(), 1, 'the reply link');
    assert.equal(await page.locator('a[href^="/window/"]').count(), 0, 'no window link for the depositor');
    const res = await ctx.request.get(server.url(href));
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    assert.equal(res.headers()['content-disposition'], `attachment; filename="${reg}.pdf"`);
    assert.equal(res.headers()['cache-control'], 'no-store');
    assert.equal(res.headers()['x-content-type-options'], 'nosniff');
    assert.equal((await res.body()).subarray(0, 5).toString('latin1'), '%PDF-');
    // The other citizen cannot have it.
    const other = CITIZEN[lang === 'ar' ? 'fr' : 'ar'];
    const octx = await newContext(browser, { lang, javaScript: false });
    const opage = await octx.newPage();
    await ui.signIn(opage, other);
    assert.equal((await octx.request.get(server.url(href))).status(), 404);
    await octx.close();
    await ctx.close();
  }
});

for (const lang of ['ar', 'fr']) {
  test(`the depositor completes a missing-documents request (${lang})`, { timeout: 180_000 }, async () => {
    const { number, version } = await depositInProgress(CITIZEN[lang], `${T[lang].subject} 2`);
    await api(AGENT, 'POST', `/api/v1/entries/${number}/missing-documents`, { version, text: T[lang].missing });

    const ctx = await newContext(browser, { lang, javaScript: false });
    const page = await ctx.newPage();
    await ui.signIn(page, CITIZEN[lang]);
    await page.goto(server.url(`/lang/${lang}?next=/deposits/${number}`));
    assert.match(await page.innerText('main'), new RegExp(T[lang].missing));
    await ui.check(page, `${lang}-entry-missing`);
    const form = `form[action="/deposits/${number}/complete"]`;
    // Nothing attached: 400, the summary points at the file input.
    const bad = await submit(page, `${form} button[type=submit]`);
    assert.equal(bad.status(), 400);
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#files');
    assert.equal(await page.getAttribute('#files', 'aria-invalid'), 'true');
    await ui.check(page, `${lang}-entry-missing-error`);
    await page.setInputFiles('#files', { name: `cin-${lang}.pdf`, mimeType: 'application/pdf', buffer: minimalPdf(`cin ${lang}`) });
    await page.fill('#note', lang === 'ar' ? 'تجدون رفقته النسخة المطلوبة' : 'Veuillez trouver ci-joint la copie demandée');
    await submit(page, `${form} button[type=submit]`);
    assert.equal(pathOf(page), `/deposits/${number}?completed=1`);
    assert.equal(await page.locator(form).count(), 0, 'the form is gone');
    assert.match(await page.innerText('main'), new RegExp(`cin-${lang}\\.pdf`));
    await ui.check(page, `${lang}-entry-completed`);
    const dossier = await api(CLERK, 'GET', `/api/v1/entries/${number}`);
    assert.equal(dossier.state, 'in_progress');
    await ctx.close();
  });
}

test('every letters page visited passes axe, contrast and weight checks', () => {
  assert.deepEqual(ui.problems, []);
});
