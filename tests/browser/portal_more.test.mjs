// Three more portal journeys in a real browser, on the demo data (docs/DEMO.md), with the plain
// server (none of them needs the data-exchange demo):
//  1. Payment (French, JavaScript OFF): the company applies for tech-sme-label (v3: a 500 MAD fee)
//     with four PDFs, checks and submits; the sandbox checkout says it is a sandbox; a declined test
//     card brings back the check page with the error, the application still a draft and nothing
//     registered; the second checkout, paid with the success card, registers it (ADD-YYYY-…), and the
//     payment receipt is a PDF.
//  2. Assisted filing (Arabic, JavaScript on): UNIV's agent opens the letter's start page, fills the
//     assisted-filing form (the identity check left out first: the error summary), then writes the
//     letter to MEF for the citizen; every page names the citizen; the confirmation gives the register
//     number and the receipt to print, and the agent's list says for whom.
//  3. Maturity score (Arabic, JavaScript on): the company answers sme-digital-maturity v2 (ten radio
//     questions); the confirmation and the summary show the overall percentage, the level and the
//     table of dimensions; the report is a PDF.
// The JavaScript-on pages go through axe (WCAG 2.2 AA) and the text-contrast check as they are; the
// no-script pages' exact HTML goes through them in a script-enabled page (harness.mjs's
// NoScriptChecks). Every problem found is collected; the last test asserts there are none.
//   IDARA_BIN=build/debug/app/idara node --test --test-concurrency=1 tests/browser/portal_more.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdaraServer, NoScriptChecks, checkPage, launchBrowser, minimalPdf, newContext, pathOf, submit } from './harness.mjs';

const COMPANY = 'contact@atlas-numerique.ma';
const AGENT = 'agent@um5.ac.ma';
const YEAR = new Date().getFullYear();
const CARD_DECLINED = '4000 0000 0000 0002';  // src/procedures/payments.hpp (kSandboxCardDeclined)
const CARD_PAID = '4242 4242 4242 4242';      // kSandboxCardPaid

const server = new IdaraServer();
let browser;
const ui = new NoScriptChecks(server);
const problems = [];

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

const go = async (page, selector, status = 200) => {
  const res = await submit(page, selector);
  assert.equal(res.status(), status, `${selector} on ${pathOf(page)} → ${res.status()}`);
  return res;
};
const next = (page, status = 200) => go(page, 'main form button.button[type=submit]', status);

// A new context signed in as `login`, its pages in `lang` (the language switch's cookie).
async function signedIn(login, lang, javaScript) {
  const ctx = await newContext(browser, { lang, javaScript });
  const page = await ctx.newPage();
  await ui.signIn(page, login);
  await page.goto(server.url(`/lang/${lang}?next=%2F`));
  return { ctx, page };
}

// A PDF served to this context: 200, application/pdf, starts with %PDF-.
async function assertPdf(ctx, href) {
  const res = await ctx.request.get(server.url(href));
  assert.equal(res.status(), 200, `${href} → ${res.status()}`);
  assert.equal(res.headers()['content-type'], 'application/pdf', href);
  assert.equal((await res.body()).subarray(0, 5).toString('latin1'), '%PDF-', href);
}

test('the company pays the tech SME label fee in the sandbox, declined then paid (fr, JavaScript off)',
  { timeout: 300_000 }, async () => {
    const { ctx, page } = await signedIn(COMPANY, 'fr', false);
    const check = (name) => ui.check(page, `fr-payment-${name}`);

    let res = await page.goto(server.url('/services/tech-sme-label'));
    assert.equal(res.status(), 200);
    assert.ok((await page.innerText('main')).includes('500 dirhams'), 'the start page gives the fee');
    await check('start');
    await go(page, 'button.button--start');
    const m = pathOf(page).match(/^\/applications\/([a-z0-9]+)\/steps\/company$/);
    assert.ok(m, `on the first step: ${pathOf(page)}`);
    const app = `/applications/${m[1]}`;
    await check('step-company');
    await page.fill('#company_name', 'Atlas Numérique SARL');
    await page.fill('#rc_number', '512345');
    await page.fill('#rc_court', 'Tribunal de commerce de Casablanca');
    await page.fill('#ice', '001234567000089');
    await next(page);
    assert.equal(pathOf(page), `${app}/steps/activity`);
    await page.fill('#creation_date', '2022-03-15');
    await page.selectOption('#sector', 'govtech');
    await next(page);
    assert.equal(pathOf(page), `${app}/steps/size`);
    await page.fill('#staff', '24');
    await page.fill('#turnover', '6500000');
    await page.fill('#rd_share', '18');
    await next(page);
    assert.equal(pathOf(page), `${app}/steps/innovation`);
    await page.fill('#innovation', 'Une plateforme d\'interopérabilité pour les administrations, développée en interne : '
      + 'deux brevets déposés, une équipe de recherche de six ingénieurs et des clients publics au Maroc et au Sénégal.');
    await next(page);

    assert.equal(pathOf(page), `${app}/documents`);
    await check('documents');
    for (const doc of ['statutes', 'rc_extract', 'pitch_deck', 'financial_statements'])
      await page.setInputFiles(`#doc_${doc}`, { name: `${doc}.pdf`, mimeType: 'application/pdf', buffer: minimalPdf(doc) });
    await go(page, 'form[enctype="multipart/form-data"] button[type=submit]');
    assert.equal(pathOf(page), `${app}/check`);
    assert.ok((await page.innerText('main')).includes('financial_statements.pdf'), 'the documents are listed');
    await check('check');

    // Submitting goes to the sandbox's checkout, which says so.
    await go(page, `form[action="${app}/submit"] button[type=submit]`);
    const checkout = pathOf(page);
    assert.match(checkout, /^\/payments\/sandbox\/[A-Za-z0-9_-]+$/);
    assert.equal((await page.textContent('#sandbox-banner')).trim(), 'Bac à sable de paiement — aucun argent réel');
    assert.equal((await page.textContent('#amount')).replace(/\s+/g, ' ').trim(), '500,00 MAD');
    await check('checkout');

    // The declined test card: back to the check page with the error; still a draft.
    await page.fill('#card', CARD_DECLINED);
    await next(page, 402);
    const declined = await page.innerText('main');
    assert.ok(declined.includes('Le paiement a été refusé. Votre demande n\'est pas enregistrée'), declined);
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#declaration');
    assert.equal(await page.locator('#register-number').count(), 0, 'nothing registered');
    assert.equal(await page.locator(`form[action="${app}/submit"]`).count(), 1, 'the draft can be submitted again');
    await check('declined');
    res = await page.goto(server.url('/applications'));
    assert.equal(res.status(), 200);
    const row = await page.locator(`tr:has(a[href="${app}"])`).innerText();
    assert.ok(row.includes('Brouillon'), `still a draft: ${row}`);
    assert.ok(!row.includes('ADD-'), `no register number: ${row}`);
    await check('applications-draft');
    res = await ctx.request.get(server.url(`${app}/payment-receipt.pdf`));
    assert.equal(res.status(), 404, 'no payment receipt before paying');

    // Again: a new checkout, paid with the success card.
    res = await page.goto(server.url(`${app}/check`));
    assert.equal(res.status(), 200);
    await go(page, `form[action="${app}/submit"] button[type=submit]`);
    assert.match(pathOf(page), /^\/payments\/sandbox\/[A-Za-z0-9_-]+$/);
    assert.notEqual(pathOf(page), checkout, 'a new checkout');
    await page.fill('#card', '1111 2222 3333 4444');
    await next(page, 400);
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#card');
    assert.equal(await page.getAttribute('#card', 'aria-invalid'), 'true');
    await check('checkout-error');
    await page.fill('#card', CARD_PAID);
    await next(page);
    const number = (await page.textContent('#register-number')).trim();
    assert.match(number, new RegExp(`^ADD-${YEAR}-\\d+$`));
    assert.ok((await page.textContent('#tracking-code')).trim().length >= 8, 'a tracking code');
    const receipt = await page.getAttribute('#payment-receipt-link', 'href');
    assert.equal(receipt, `${app}/payment-receipt.pdf`);
    await check('done');
    await assertPdf(ctx, receipt);

    // The summary: registered, paid.
    res = await page.goto(server.url(app));
    assert.equal(res.status(), 200);
    assert.equal((await page.textContent('#register-number')).trim(), number);
    assert.ok((await page.innerText('main')).includes('Déposée'), 'submitted');
    assert.equal(await page.getAttribute('#payment-receipt-link', 'href'), receipt);
    await check('summary');
    await ctx.close();
  });

test('UNIV\'s agent writes a letter to MEF on behalf of a citizen at the counter (ar, JavaScript on)',
  { timeout: 300_000 }, async () => {
    const { ctx, page } = await signedIn(AGENT, 'ar', true);
    const check = async (name) => { problems.push(...await checkPage(page, { name: `ar-assisted-${name}` })); };
    const citizen = 'فاطمة آيت واعراب';
    const banner = async () => {
      const text = (await page.innerText('#assisted-banner')).replace(/\s+/g, ' ');
      assert.ok(text.includes(`إيداع بمساعدة لفائدة ${citizen}`), `the banner names the citizen: ${text}`);
      assert.ok(text.includes('BK123456'), `the banner names the document: ${text}`);
    };

    let res = await page.goto(server.url('/services/letter'));
    assert.equal(res.status(), 200);
    assert.equal(await page.getAttribute('#assisted-start', 'href'), '/services/letter/assisted');
    await check('start');
    await go(page, '#assisted-start');
    assert.equal(pathOf(page), '/services/letter/assisted');
    await check('form');

    // The identity check is required; what was typed is kept.
    await page.fill('#name', citizen);
    await page.check('#id_type');
    await page.fill('#id_number', 'BK123456');
    await next(page, 400);
    assert.deepEqual(await page.$$eval('.error-summary a', (as) => as.map((a) => a.getAttribute('href'))), ['#checked']);
    assert.equal(await page.getAttribute('#checked', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#name'), citizen);
    await check('form-error');
    await page.check('#checked');
    await next(page);

    const m = pathOf(page).match(/^\/applications\/([a-z0-9]+)\/steps\/recipient$/);
    assert.ok(m, `on the first step: ${pathOf(page)}`);
    const app = `/applications/${m[1]}`;
    await banner();
    await check('step-recipient');
    await page.selectOption('#recipient', 'MEF');
    await next(page);
    assert.equal(pathOf(page), `${app}/steps/letter`);
    await banner();
    await page.fill('#subject', 'طلب نسخة من شهادة الدخل');
    await page.fill('#message', 'أطلب منكم تسليمي نسخة من شهادة الدخل برسم سنة 2025.');
    await next(page);
    assert.equal(pathOf(page), `${app}/documents`);
    await banner();
    await check('documents');
    await go(page, 'form[enctype="multipart/form-data"] button[type=submit]');
    assert.equal(pathOf(page), `${app}/check`);
    await banner();
    assert.ok((await page.innerText('main')).includes('طلب نسخة من شهادة الدخل'));
    await check('check');

    await go(page, `form[action="${app}/submit"] button[type=submit]`);
    const number = (await page.textContent('#register-number')).trim();
    assert.match(number, new RegExp(`^MEF-${YEAR}-\\d+$`));
    await banner();
    const receipt = `/deposits/${number}/receipt.pdf`;
    assert.equal(await page.locator(`#assisted-banner a[href="${receipt}"]`).count(), 1, 'the receipt to print');
    assert.equal(await page.locator('#email-receipt').count(), 0, 'no e-mail address: no e-mail button');
    const done = await page.innerText('main');
    await check('done');
    await assertPdf(ctx, receipt);

    res = await page.goto(server.url('/applications'));
    assert.equal(res.status(), 200);
    const row = await page.locator(`tr:has(a[href="${app}"])`).innerText();
    assert.ok(row.includes(`لفائدة ${citizen}`), `for whom: ${row}`);
    assert.ok(row.includes(number), row);
    await check('applications');
    await ctx.close();
    // Last, so that it hides nothing else: the confirmation names the administration written to,
    // not the catalogue's "any administration you choose".
    assert.ok(done.includes('وزارة الاقتصاد والمالية'), `the confirmation names MEF: ${done}`);
  });

test('the company gets its digital maturity score and report (ar, JavaScript on)', { timeout: 300_000 }, async () => {
  const { ctx, page } = await signedIn(COMPANY, 'ar', true);
  const check = async (name) => { problems.push(...await checkPage(page, { name: `ar-maturity-${name}` })); };

  let res = await page.goto(server.url('/services/sme-digital-maturity'));
  assert.equal(res.status(), 200);
  await check('start');
  await go(page, 'button.button--start');
  const m = pathOf(page).match(/^\/applications\/([a-z0-9]+)\/steps\/company$/);
  assert.ok(m, `on the first step: ${pathOf(page)}`);
  const app = `/applications/${m[1]}`;
  await page.fill('#company_name', 'أطلس الرقمية');
  await page.fill('#ice', '001234567000089');
  await next(page);
  // Ten radio questions (portal_report_test.cpp's answers: 50 %, "advanced").
  const steps = [
    ['strategy', { strategy_vision: '3', strategy_budget: '1' }],     // 4/6 = 67 %
    ['processes', { processes_digital: '2', processes_admin: '0' }],  // 2/6 = 33 %
    ['data', { data_collection: '1', data_use: '0' }],                // 1/6 = 17 %
    ['skills', { skills_training: '3', skills_roles: '2' }],          // 5/6 = 83 %
    ['cybersecurity', { cybersecurity: '1' }],                        // 1/3 = 33 %
    ['customer', { customer_channels: '2' }],                         // 2/3 = 67 %
  ];
  let questions = 0;
  for (const [step, answers] of steps) {
    assert.equal(pathOf(page), `${app}/steps/${step}`);
    assert.equal(await page.locator('main fieldset').count(), Object.keys(answers).length, `a fieldset per question on ${step}`);
    if (step === 'strategy') {
      await next(page, 400);  // nothing chosen: the error summary
      assert.equal(await page.locator('.error-summary a').count(), 2);
      await check('step-strategy-error');
    }
    for (const [field, value] of Object.entries(answers)) {
      await page.check(`input[type=radio][name="${field}"][value="${value}"]`);
      questions += 1;
    }
    await next(page);
  }
  assert.equal(questions, 10);
  assert.equal(pathOf(page), `${app}/check`);
  assert.equal(await page.locator('#score').count(), 0, 'no score before submitting');
  await check('check');

  // The confirmation, then the summary: the percentage, the level, the dimensions.
  await go(page, `form[action="${app}/submit"] button[type=submit]`);
  assert.match((await page.textContent('#register-number')).trim(), new RegExp(`^ADD-${YEAR}-\\d+$`));
  const score = async () => {
    assert.equal((await page.textContent('#score-percent')).trim(), '50٪');  // web.scoring.percent (ar)
    assert.equal((await page.textContent('#score-level')).trim(), 'متقدم');
    const rows = await page.$$eval('#score-dimensions tbody tr', (trs) => trs.map((tr) => tr.innerText.replace(/\s+/g, ' ').trim()));
    assert.equal(rows.length, 6, rows.join(' | '));
    assert.ok(rows[0].startsWith('الاستراتيجية') && rows[0].includes('67٪'), rows[0]);
    assert.ok(rows[2].startsWith('المعطيات') && rows[2].includes('17٪') && rows[2].includes('يحتاج إلى تحسين'), rows[2]);
    assert.equal(await page.getAttribute('#report-link', 'href'), `${app}/report.pdf`);
  };
  await score();
  await check('done');
  res = await page.goto(server.url(app));
  assert.equal(res.status(), 200);
  await score();
  await check('summary');
  await assertPdf(ctx, `${app}/report.pdf`);
  await ctx.close();
});

test('no accessibility or page problems on any of these portal pages', () => {
  assert.deepEqual([...problems, ...ui.problems], []);
});
