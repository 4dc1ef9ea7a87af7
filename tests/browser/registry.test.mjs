// The registry office in a real browser, with JavaScript OFF for every journey:
// a citizen deposits a letter with a PDF (in Arabic and in French) through the
// whole journey, gets the number and the tracking code, downloads the sealed
// receipt; anyone tracks it by number + code (a wrong code is the same 404 as
// an unknown number); a registry clerk registers walk-in mail at the counter
// and cancels an entry; the verify page says "valid" for the receipt and
// "invalid" for a copy with one byte changed.
// Every page met is checked (lang/dir, raw keys, weight) and its exact HTML is
// run through axe (WCAG 2.2 AA) and the text-contrast check in a separate,
// script-enabled page of the same origin (axe hangs when scripts are off).
//   IDARA_BIN=build/debug/app/idara node --test tests/browser/registry.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdaraServer, NoScriptChecks, launchBrowser, minimalPdf, newContext, pathOf, submit } from './harness.mjs';

const T = {
  ar: { start: 'إيداع مراسلة لدى إدارة', done: 'تم تسجيل الإيداع', notFound: 'لم يتم العثور على أي إيداع',
    search: 'وِزَارَة الإقْتِصَاد', summary: 'يتضمن النموذج أخطاء', subject: 'طلب شهادة إدارية', body: 'السلام عليكم،\nأرجو منحي شهادة إدارية.' },
  fr: { start: "Déposer un courrier auprès d'une administration", done: 'Dépôt enregistré', notFound: 'Aucun dépôt trouvé',
    search: 'ECONOMIE', summary: 'Le formulaire contient des erreurs', subject: "Demande d'attestation", body: 'Madame, Monsieur,\nJe vous prie de me délivrer une attestation.' },
};
const CITIZEN = { ar: 'amina.elmansouri@example.ma', fr: 'youssef.benali@example.ma' };
const CLERK = 'bureau.ordre@mef.gov.ma';
const NUMBER = /^MEF-\d{4}-\d{6}$/;
const CODE = /^[A-Z0-9]{4}-[A-Z0-9]{4}$/;

const server = new IdaraServer();
let browser;
const ui = new NoScriptChecks(server);
const receipts = [];  // {lang, number, code, pdf}

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

async function fetchReceipt(ctx, href) {
  const res = await ctx.request.get(server.url(href));
  assert.equal(res.status(), 200, `${href} → ${res.status()}`);
  assert.equal(res.headers()['content-type'], 'application/pdf');
  assert.match(res.headers()['content-disposition'], /^attachment; filename="MEF-\d{4}-\d{6}\.pdf"$/);
  assert.equal(res.headers()['cache-control'], 'no-store');
  const pdf = await res.body();
  assert.equal(pdf.subarray(0, 4).toString('latin1'), '%PDF');
  return pdf;
}

for (const lang of ['ar', 'fr']) {
  test(`a citizen deposits a letter without JavaScript (${lang})`, { timeout: 240_000 }, async () => {
    const ctx = await newContext(browser, { lang, javaScript: false });
    const page = await ctx.newPage();
    await ui.signIn(page, CITIZEN[lang]);
    await ui.goto(page, '/deposit', `${lang}-deposit-start`);
    assert.equal((await page.textContent('h1')).trim(), T[lang].start);
    await submit(page, 'a.button--start');
    assert.equal(pathOf(page), '/deposit/administration');
    await ui.check(page, `${lang}-deposit-administration`);

    // Step 1: the search ignores vowels, hamza forms, case and accents.
    await page.fill('#q', T[lang].search);
    await submit(page, 'form.search button[type=submit]');
    assert.equal(await page.locator('input[name=administration][value=MEF]').count(), 1, 'MEF found');
    assert.equal(await page.locator('input[name=administration][value=MEN]').count(), 0, 'MEN filtered out');
    await ui.check(page, `${lang}-deposit-administration-search`);
    // Continue without choosing: the error summary links to the radios.
    await submit(page, 'form[action="/deposit/type"] button[type=submit]');
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#administration');
    await ui.check(page, `${lang}-deposit-administration-error`);
    await page.check('input[name=administration][value=MEF]');
    await submit(page, 'form[action="/deposit/type"] button[type=submit]');

    // Step 2: the type, with its deadline; no unit.
    assert.equal(pathOf(page), '/deposit/type');
    assert.ok(await page.locator('input[name=type]').count() >= 1, 'types offered');
    await ui.check(page, `${lang}-deposit-type`);
    await page.check('input[name=type][value=letter]');
    await submit(page, 'form[action="/deposit/details"] button[type=submit]');

    // Step 3: subject missing → 400 with the summary; then the letter.
    assert.equal(pathOf(page), '/deposit/details');
    await ui.check(page, `${lang}-deposit-details`);
    const bad = await submit(page, 'form[action="/deposit/check"] button[type=submit]');
    assert.equal(bad.status(), 400);
    assert.equal((await page.textContent('.error-summary h2')).trim(), T[lang].summary);
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#subject');
    assert.equal(await page.getAttribute('#subject', 'aria-invalid'), 'true');
    await ui.check(page, `${lang}-deposit-details-error`);
    await page.fill('#subject', T[lang].subject);
    await page.fill('#body', T[lang].body);
    await submit(page, 'form[action="/deposit/check"] button[type=submit]');

    // Step 4: check your answers, "Change" goes back with the answers kept.
    assert.equal(pathOf(page), '/deposit/check');
    assert.match(await page.innerText('main'), new RegExp(T[lang].subject));
    await ui.check(page, `${lang}-deposit-check`);
    await submit(page, 'button[formaction="/deposit/details"] >> nth=0');
    assert.equal(await page.inputValue('#subject'), T[lang].subject, 'Change keeps the subject');
    assert.equal(await page.inputValue('#body'), T[lang].body, 'Change keeps the text');
    await submit(page, 'form[action="/deposit/check"] button[type=submit]');
    await page.setInputFiles('#files', { name: `lettre-${lang}.pdf`, mimeType: 'application/pdf', buffer: minimalPdf(lang) });
    const done = await submit(page, 'form[action="/deposit"] button.button[type=submit]');

    // The confirmation, in the POST's own answer (no redirect, no-store).
    assert.equal(done.status(), 200);
    assert.equal(done.headers()['cache-control'], 'no-store');
    assert.equal((await page.textContent('h1')).trim(), T[lang].done);
    const number = (await page.textContent('#register-number')).trim();
    const code = (await page.textContent('#tracking-code')).trim();
    assert.match(number, NUMBER);
    assert.match(code, CODE);
    assert.ok(!page.url().includes(code), 'the tracking code is not in the URL');
    await ui.check(page, `${lang}-deposit-done`);
    const href = await page.getAttribute('a[href$="/receipt.pdf"]', 'href');
    const pdf = await fetchReceipt(ctx, href);
    receipts.push({ lang, number, code, pdf });

    await ui.goto(page, '/deposits', `${lang}-deposits`);
    assert.match(await page.innerText('main'), new RegExp(number));
    await ui.goto(page, `/deposits/${number}`, `${lang}-deposit-entry`);
    assert.match(await page.innerText('main'), new RegExp(`lettre-${lang}\\.pdf`));
    assert.match(await page.innerText('main'), /[0-9a-f]{64}/, 'attachment digest shown');
    await ctx.close();
  });
}

test('anyone tracks a deposit by number and code; a wrong code is a 404', { timeout: 120_000 }, async () => {
  assert.ok(receipts.length >= 1, 'a deposit was made');
  for (const { lang, number, code } of receipts) {
    const ctx = await newContext(browser, { lang, javaScript: false });
    const page = await ctx.newPage();
    await ui.goto(page, '/track', `${lang}-track`);
    await page.fill('#number', number.toLowerCase());  // typed loosely
    await page.fill('#code', code);
    const ok = await submit(page, 'main form button[type=submit]');
    assert.equal(ok.status(), 200);
    assert.match(await page.innerText('#track-result'), new RegExp(number));
    await ui.check(page, `${lang}-track-found`);
    const wrongCode = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    const wrong = await page.goto(server.url(`/track?number=${number}&code=${wrongCode}`));
    assert.equal(wrong.status(), 404);
    const wrongText = await page.innerText('#track-result');
    assert.match(wrongText, new RegExp(T[lang].notFound));
    await ui.check(page, `${lang}-track-wrong-code`);
    const unknown = await page.goto(server.url(`/track?number=MEF-1999-999999&code=${code}`));
    assert.equal(unknown.status(), 404);
    assert.equal(await page.innerText('#track-result'), wrongText, 'unknown number and wrong code look the same');
    await ctx.close();
  }
});

test('a registry clerk registers walk-in mail at the counter and cancels an entry', { timeout: 180_000 }, async () => {
  // A citizen may not use the counter.
  const cctx = await newContext(browser, { lang: 'fr', javaScript: false });
  const cpage = await cctx.newPage();
  await ui.signIn(cpage, CITIZEN.fr);
  await ui.goto(cpage, '/registry/counter', 'fr-counter-403', 403);
  await cctx.close();

  const ctx = await newContext(browser, { lang: 'ar', javaScript: false });
  const page = await ctx.newPage();
  await ui.signIn(page, CLERK);
  await ui.goto(page, '/registry', 'ar-register');
  for (const r of receipts) assert.match(await page.innerText('main'), new RegExp(r.number), 'citizen deposits are in the register');
  await submit(page, 'a[href="/registry/counter"].button');
  await ui.check(page, 'ar-counter');
  // Nothing filled → 400 with the summary.
  const bad = await submit(page, 'form[action="/registry/counter"] button[type=submit]');
  assert.equal(bad.status(), 400);
  assert.equal(await page.getAttribute('.error-summary a', 'href'), '#depositor_name');
  await ui.check(page, 'ar-counter-error');
  await page.fill('#depositor_name', 'فاطمة الزهراء الإدريسي');
  await page.fill('#id_number', 'AB123456');
  await page.check('input[name=type][value=letter]');
  await page.fill('#subject', 'شكاية بخصوص ملف');
  await page.setInputFiles('#files', { name: 'scan.pdf', mimeType: 'application/pdf', buffer: minimalPdf('counter') });
  const done = await submit(page, 'form[action="/registry/counter"] button[type=submit]');
  assert.equal(done.status(), 200);
  const number = (await page.textContent('#register-number')).trim();
  const code = (await page.textContent('#tracking-code')).trim();
  assert.match(number, NUMBER);
  assert.match(code, CODE);
  await ui.check(page, 'ar-counter-done');
  const pdf = await fetchReceipt(ctx, await page.getAttribute('a[href$="/receipt.pdf"]', 'href'));
  receipts.push({ lang: 'ar', number, code, pdf, counter: true });

  // Cancel it: the reason is required, then the entry is marked cancelled.
  await ui.goto(page, `/deposits/${number}`, 'ar-register-entry');
  const noReason = await submit(page, `form[action="/deposits/${number}/cancel"] button[type=submit]`);
  assert.equal(noReason.status(), 400);
  assert.equal(await page.getAttribute('.error-summary a', 'href'), '#reason');
  await ui.check(page, 'ar-register-entry-error');
  await page.fill('#reason', 'تسجيل مكرر');
  await submit(page, `form[action="/deposits/${number}/cancel"] button[type=submit]`);
  assert.equal(pathOf(page), `/deposits/${number}?cancelled=1`);
  assert.equal(await page.locator('.tag--cancelled').count(), 1);
  assert.equal(await page.locator(`form[action="/deposits/${number}/cancel"]`).count(), 0, 'no second cancellation');
  await ui.check(page, 'ar-register-entry-cancelled');
  await ctx.close();
});

test('the verify page: the receipt is valid, a one-byte change is invalid', { timeout: 180_000 }, async () => {
  assert.ok(receipts.length >= 2, 'receipts were downloaded');
  for (const [i, r] of receipts.entries()) {
    const lang = i % 2 === 0 ? 'fr' : 'ar';
    const ctx = await newContext(browser, { lang, javaScript: false });
    const page = await ctx.newPage();
    await ui.goto(page, '/verify', `${lang}-verify-${i}`);
    await page.setInputFiles('#receipt', { name: `${r.number}.pdf`, mimeType: 'application/pdf', buffer: r.pdf });
    const res = await submit(page, 'form[action="/verify"] button[type=submit]');
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('#verdict-title', 'data-verdict'), 'valid', `${r.number} is valid`);
    assert.match(await page.innerText('#verify-result'), new RegExp(r.number));
    assert.equal(await page.locator('#verify-result .warning').count(), r.counter ? 1 : 0, 'cancelled entries are flagged');
    await ui.check(page, `${lang}-verify-valid-${i}`);

    // One byte changed inside a content stream (within the sealed byte range).
    const changed = Buffer.from(r.pdf);
    const at = changed.indexOf('stream', Math.floor(changed.length / 4), 'latin1') + 20;
    assert.ok(at > 20, 'a stream to change');
    changed[at] ^= 0x01;
    await page.goto(server.url('/verify'));
    await page.setInputFiles('#receipt', { name: 'changed.pdf', mimeType: 'application/pdf', buffer: changed });
    await submit(page, 'form[action="/verify"] button[type=submit]');
    assert.equal(await page.getAttribute('#verdict-title', 'data-verdict'), 'invalid', 'a changed copy is invalid');
    assert.ok(await page.locator('#verify-result li').count() >= 1, 'the reasons are listed');
    await ui.check(page, `${lang}-verify-invalid-${i}`);

    // The QR payload, as the QR code's URL opens it (when the receipt carries it in /Keywords).
    const m = r.pdf.toString('latin1').match(/IDR1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    if (m) {
      const q = await page.goto(server.url(`/verify?q=${encodeURIComponent(m[0])}`));
      assert.equal(q.status(), 200);
      assert.equal(await page.getAttribute('#verdict-title', 'data-verdict'), 'valid', 'the QR payload verifies');
      await ui.check(page, `${lang}-verify-qr-${i}`);
    }
    await ctx.close();
  }
});

test('the verify form refuses a post without the anonymous token', { timeout: 60_000 }, async () => {
  const ctx = await newContext(browser, { lang: 'fr', javaScript: false });
  const res = await ctx.request.post(server.url('/verify'), { multipart: { receipt: { name: 'x.pdf', mimeType: 'application/pdf', buffer: minimalPdf('x') } } });
  assert.equal(res.status(), 403);
  await ctx.close();
});

test('every registry page visited passes axe, contrast and weight checks', () => {
  assert.deepEqual(ui.problems, []);
});
