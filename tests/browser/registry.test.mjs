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
import { IdaraServer, checkPage, launchBrowser, newContext } from './harness.mjs';

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
let axeCtx;
let axePage;
const problems = [];
const receipts = [];  // {lang, number, code, pdf}

before(async () => {
  await server.start();
  browser = await launchBrowser();
  axeCtx = await newContext(browser, { lang: 'ar', javaScript: true });
  axePage = await axeCtx.newPage();
  await axePage.goto(server.url('/track'));
}, { timeout: 180_000 });

after(async () => {
  await axeCtx?.close();
  await browser?.close();
  await server.stop();
}, { timeout: 60_000 });

// A small, valid one-page PDF (qpdf must parse it: correct xref offsets).
function minimalPdf(label) {
  const content = `0 0 m 200 200 l S % ${label}`;
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => { offsets.push(out.length); out += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function path(page) { const u = new URL(page.url()); return u.pathname + u.search; }

// Checks the page as the no-JS visitor got it, then its exact HTML with axe in the script-enabled page.
async function check(page, name) {
  problems.push(...await checkPage(page, { name, axe: false }));
  const html = await page.content();
  await axePage.setContent(html, { waitUntil: 'load' });
  problems.push(...await checkPage(axePage, { name: `${name}-axe` }));
}

async function submit(page, selector) {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res;
}

async function goto(page, p, name, status = 200) {
  const res = await page.goto(server.url(p));
  assert.equal(res.status(), status, `${p} → ${res.status()}`);
  await check(page, name);
  return res;
}

async function signIn(page, login) {
  const who = server.account(login);
  await page.goto(server.url('/login'));
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await submit(page, 'main form button[type=submit]');
  assert.notEqual(new URL(page.url()).pathname, '/login', `signed in as ${login}`);
}

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
    await signIn(page, CITIZEN[lang]);
    await goto(page, '/deposit', `${lang}-deposit-start`);
    assert.equal((await page.textContent('h1')).trim(), T[lang].start);
    await submit(page, 'a.button--start');
    assert.equal(path(page), '/deposit/administration');
    await check(page, `${lang}-deposit-administration`);

    // Step 1: the search ignores vowels, hamza forms, case and accents.
    await page.fill('#q', T[lang].search);
    await submit(page, 'form.search button[type=submit]');
    assert.equal(await page.locator('input[name=administration][value=MEF]').count(), 1, 'MEF found');
    assert.equal(await page.locator('input[name=administration][value=MEN]').count(), 0, 'MEN filtered out');
    await check(page, `${lang}-deposit-administration-search`);
    // Continue without choosing: the error summary links to the radios.
    await submit(page, 'form[action="/deposit/type"] button[type=submit]');
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#administration');
    await check(page, `${lang}-deposit-administration-error`);
    await page.check('input[name=administration][value=MEF]');
    await submit(page, 'form[action="/deposit/type"] button[type=submit]');

    // Step 2: the type, with its deadline; no unit.
    assert.equal(path(page), '/deposit/type');
    assert.ok(await page.locator('input[name=type]').count() >= 1, 'types offered');
    await check(page, `${lang}-deposit-type`);
    await page.check('input[name=type][value=letter]');
    await submit(page, 'form[action="/deposit/details"] button[type=submit]');

    // Step 3: subject missing → 400 with the summary; then the letter.
    assert.equal(path(page), '/deposit/details');
    await check(page, `${lang}-deposit-details`);
    const bad = await submit(page, 'form[action="/deposit/check"] button[type=submit]');
    assert.equal(bad.status(), 400);
    assert.equal((await page.textContent('.error-summary h2')).trim(), T[lang].summary);
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#subject');
    assert.equal(await page.getAttribute('#subject', 'aria-invalid'), 'true');
    await check(page, `${lang}-deposit-details-error`);
    await page.fill('#subject', T[lang].subject);
    await page.fill('#body', T[lang].body);
    await submit(page, 'form[action="/deposit/check"] button[type=submit]');

    // Step 4: check your answers, "Change" goes back with the answers kept.
    assert.equal(path(page), '/deposit/check');
    assert.match(await page.innerText('main'), new RegExp(T[lang].subject));
    await check(page, `${lang}-deposit-check`);
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
    await check(page, `${lang}-deposit-done`);
    const href = await page.getAttribute('a[href$="/receipt.pdf"]', 'href');
    const pdf = await fetchReceipt(ctx, href);
    receipts.push({ lang, number, code, pdf });

    await goto(page, '/deposits', `${lang}-deposits`);
    assert.match(await page.innerText('main'), new RegExp(number));
    await goto(page, `/deposits/${number}`, `${lang}-deposit-entry`);
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
    await goto(page, '/track', `${lang}-track`);
    await page.fill('#number', number.toLowerCase());  // typed loosely
    await page.fill('#code', code);
    const ok = await submit(page, 'main form button[type=submit]');
    assert.equal(ok.status(), 200);
    assert.match(await page.innerText('#track-result'), new RegExp(number));
    await check(page, `${lang}-track-found`);
    const wrongCode = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    const wrong = await page.goto(server.url(`/track?number=${number}&code=${wrongCode}`));
    assert.equal(wrong.status(), 404);
    const wrongText = await page.innerText('#track-result');
    assert.match(wrongText, new RegExp(T[lang].notFound));
    await check(page, `${lang}-track-wrong-code`);
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
  await signIn(cpage, CITIZEN.fr);
  await goto(cpage, '/registry/counter', 'fr-counter-403', 403);
  await cctx.close();

  const ctx = await newContext(browser, { lang: 'ar', javaScript: false });
  const page = await ctx.newPage();
  await signIn(page, CLERK);
  await goto(page, '/registry', 'ar-register');
  for (const r of receipts) assert.match(await page.innerText('main'), new RegExp(r.number), 'citizen deposits are in the register');
  await submit(page, 'a[href="/registry/counter"].button');
  await check(page, 'ar-counter');
  // Nothing filled → 400 with the summary.
  const bad = await submit(page, 'form[action="/registry/counter"] button[type=submit]');
  assert.equal(bad.status(), 400);
  assert.equal(await page.getAttribute('.error-summary a', 'href'), '#depositor_name');
  await check(page, 'ar-counter-error');
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
  await check(page, 'ar-counter-done');
  const pdf = await fetchReceipt(ctx, await page.getAttribute('a[href$="/receipt.pdf"]', 'href'));
  receipts.push({ lang: 'ar', number, code, pdf, counter: true });

  // Cancel it: the reason is required, then the entry is marked cancelled.
  await goto(page, `/deposits/${number}`, 'ar-register-entry');
  const noReason = await submit(page, `form[action="/deposits/${number}/cancel"] button[type=submit]`);
  assert.equal(noReason.status(), 400);
  assert.equal(await page.getAttribute('.error-summary a', 'href'), '#reason');
  await check(page, 'ar-register-entry-error');
  await page.fill('#reason', 'تسجيل مكرر');
  await submit(page, `form[action="/deposits/${number}/cancel"] button[type=submit]`);
  assert.equal(path(page), `/deposits/${number}?cancelled=1`);
  assert.equal(await page.locator('.tag--cancelled').count(), 1);
  assert.equal(await page.locator(`form[action="/deposits/${number}/cancel"]`).count(), 0, 'no second cancellation');
  await check(page, 'ar-register-entry-cancelled');
  await ctx.close();
});

test('the verify page: the receipt is valid, a one-byte change is invalid', { timeout: 180_000 }, async () => {
  assert.ok(receipts.length >= 2, 'receipts were downloaded');
  for (const [i, r] of receipts.entries()) {
    const lang = i % 2 === 0 ? 'fr' : 'ar';
    const ctx = await newContext(browser, { lang, javaScript: false });
    const page = await ctx.newPage();
    await goto(page, '/verify', `${lang}-verify-${i}`);
    await page.setInputFiles('#receipt', { name: `${r.number}.pdf`, mimeType: 'application/pdf', buffer: r.pdf });
    const res = await submit(page, 'form[action="/verify"] button[type=submit]');
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('#verdict-title', 'data-verdict'), 'valid', `${r.number} is valid`);
    assert.match(await page.innerText('#verify-result'), new RegExp(r.number));
    assert.equal(await page.locator('#verify-result .warning').count(), r.counter ? 1 : 0, 'cancelled entries are flagged');
    await check(page, `${lang}-verify-valid-${i}`);

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
    await check(page, `${lang}-verify-invalid-${i}`);

    // The QR payload, as the QR code's URL opens it (when the receipt carries it in /Keywords).
    const m = r.pdf.toString('latin1').match(/IDR1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
    if (m) {
      const q = await page.goto(server.url(`/verify?q=${encodeURIComponent(m[0])}`));
      assert.equal(q.status(), 200);
      assert.equal(await page.getAttribute('#verdict-title', 'data-verdict'), 'valid', 'the QR payload verifies');
      await check(page, `${lang}-verify-qr-${i}`);
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
  assert.deepEqual(problems, []);
});
