// The evaluation pages in a real browser, on the demo data (docs/DEMO.md, "Evaluation"): the
// company applies for the startup label with three PDFs; ADD's unit head assigns two reviewers
// from the dossier; each reviewer scores the criteria (a bad score and a missing no-conflict
// declaration first show the error summary, nothing saved); the board ranks the application with
// its mean score; the head grants the label; the public directory lists the company, without
// signing in, with the directory's fields only. axe (WCAG 2.2 AA) at zero violations and the
// text-contrast check on the evaluation home, the board, the dossier with the review form (and its
// error state), the head's dossier and the public directory, in Arabic and in French.
//   IDARA_BIN=build/debug/app/idara node --test tests/browser/evaluation.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdaraServer, checkPage, launchBrowser, minimalPdf, newContext, pathOf, submit } from './harness.mjs';

const COMPANY = 'contact@atlas-numerique.ma';
const HEAD = 'chef.service@add.gov.ma';
const REVIEWERS = [
  { login: 'agent@add.gov.ma', name: 'Imane Sqalli', lang: 'fr', points: '8' },
  { login: 'signataire@add.gov.ma', name: 'Anas Saadi', lang: 'ar', points: '7' },
];
const CRITERIA = ['innovation', 'team', 'market', 'scalability', 'impact'];
const ICE = '001234567000089';

const server = new IdaraServer();
let browser;
const problems = [];

before(async () => {
  await server.start();
  browser = await launchBrowser();
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  await server.stop();
}, { timeout: 60_000 });

const check = async (page, name) => { problems.push(...await checkPage(page, { name })); };
const go = async (page, selector, status = 200) => {
  const res = await submit(page, selector);
  assert.equal(res.status(), status, `${selector} on ${pathOf(page)} → ${res.status()}`);
  return res;
};

// A new browser context signed in as `login`, its pages in `lang` (the language switch's cookie).
async function signedIn(login, lang) {
  const ctx = await newContext(browser, { lang });
  const page = await ctx.newPage();
  const who = server.account(login);
  await page.goto(server.url('/login'));
  await page.fill('#login', who.login);
  await page.fill('#password', who.password);
  await submit(page, 'main form button[type=submit]');
  assert.notEqual(new URL(page.url()).pathname, '/login', `signed in as ${login}`);
  await page.goto(server.url(`/lang/${lang}?next=%2F`));
  return { ctx, page };
}

test('a startup label from the application to the public directory, reviewed by two agents', { timeout: 600_000 }, async () => {
  // 1. The company applies (French).
  const company = await signedIn(COMPANY, 'fr');
  let page = company.page;
  let res = await page.goto(server.url('/services/startup-label'));
  assert.equal(res.status(), 200);
  assert.equal(await page.getAttribute('#directory-link', 'href'), '/services/startup-label/directory');
  await go(page, 'button.button--start');
  const m = pathOf(page).match(/^\/applications\/([a-z0-9]+)\/steps\/company$/);
  assert.ok(m, `on the first step: ${pathOf(page)}`);
  const app = `/applications/${m[1]}`;
  await page.fill('#company_name', 'Atlas Numérique SARL');
  await page.fill('#rc_number', '512345');
  await page.fill('#rc_court', 'Tribunal de commerce de Casablanca');
  await page.fill('#ice', ICE);
  await go(page, 'main form button.button[type=submit]');
  await page.fill('#creation_date', '2024-03-15');
  await page.selectOption('#sector', 'govtech');
  await go(page, 'main form button.button[type=submit]');
  await page.fill('#staff', '12');
  await page.fill('#turnover', '1500000');
  await go(page, 'main form button.button[type=submit]');
  await page.fill('#innovation', 'Une plateforme d\'interopérabilité pour les communes : les données circulent entre services '
    + 'au lieu de redemander des papiers aux citoyens, avec un journal vérifiable de chaque échange.');
  await go(page, 'main form button.button[type=submit]');
  assert.equal(pathOf(page), `${app}/documents`);
  for (const doc of ['statutes', 'rc_extract', 'pitch_deck'])
    await page.setInputFiles(`#doc_${doc}`, { name: `${doc}.pdf`, mimeType: 'application/pdf', buffer: minimalPdf(doc) });
  await go(page, 'form[enctype="multipart/form-data"] button[type=submit]');
  assert.equal(pathOf(page), `${app}/check`);
  await go(page, `form[action="${app}/submit"] button[type=submit]`);
  const number = (await page.textContent('#register-number')).trim();
  assert.match(number, /^ADD-\d{4}-\d+$/);

  // 2. The head assigns the two reviewers (Arabic).
  const head = await signedIn(HEAD, 'ar');
  page = head.page;
  res = await page.goto(server.url('/evaluation'));
  assert.equal(res.status(), 200);
  assert.equal(await page.getAttribute('a[href="/evaluation"]', 'aria-current'), 'page');
  await check(page, 'ar-evaluation-home');
  await go(page, 'main a[href="/evaluation/startup-label"]');
  assert.ok((await page.innerText('#ranking')).includes(number));
  await check(page, 'ar-evaluation-board');
  await go(page, `#ranking a:has-text("${number}")`);
  const dossier = pathOf(page);
  assert.match(dossier, /^\/evaluation\/applications\/[a-z0-9]+$/);
  for (const r of REVIEWERS) {
    await page.selectOption('#reviewer', { label: r.name });
    await go(page, `form[action="${dossier}/assign"] button[type=submit]`);
    assert.equal(pathOf(page), dossier);
  }
  await check(page, 'ar-evaluation-dossier-head');

  // 3. Each reviewer scores; the first one sees the errors first.
  for (const [i, r] of REVIEWERS.entries()) {
    const rev = await signedIn(r.login, r.lang);
    const p = rev.page;
    res = await p.goto(server.url('/evaluation'));
    assert.equal(res.status(), 200);
    await go(p, `main a[href="${dossier}"]`);
    assert.equal(await p.locator('fieldset legend').count(), CRITERIA.length, 'a fieldset per criterion');
    await check(p, `${r.lang}-evaluation-dossier-review`);
    if (i === 0) {
      await p.fill('#score_innovation', '11');
      for (const c of CRITERIA.slice(1)) await p.fill(`#score_${c}`, r.points);
      await go(p, `form[action="${dossier}/review"] button[type=submit]`, 400);
      const links = await p.$$eval('.error-summary a', (as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(links, ['#score_innovation', '#no_conflict']);
      assert.equal(await p.getAttribute('#score_innovation', 'aria-invalid'), 'true');
      assert.equal(await p.inputValue('#score_innovation'), '11');
      await check(p, `${r.lang}-evaluation-review-error`);
    }
    for (const c of CRITERIA) await p.fill(`#score_${c}`, r.points);
    await p.check('#no_conflict');
    await go(p, `form[action="${dossier}/review"] button[type=submit]`);
    assert.equal(pathOf(p), dossier);
    await rev.ctx.close();
  }

  // 4. Ranked with the mean of 80 % and 70 %; the head grants the label.
  res = await page.goto(server.url('/evaluation/startup-label'));
  assert.equal(res.status(), 200);
  assert.ok((await page.innerText('#ranking')).includes('75,00 %'), await page.innerText('#ranking'));
  await check(page, 'ar-evaluation-board-ranked');
  await page.goto(server.url(`/lang/fr?next=${encodeURIComponent('/evaluation/startup-label')}`));
  await check(page, 'fr-evaluation-board-ranked');
  res = await page.goto(server.url(dossier));
  assert.equal(res.status(), 200);
  await check(page, 'fr-evaluation-dossier-head');
  await page.check('#outcome');
  await go(page, `form[action="${dossier}/decide"] button[type=submit]`);
  assert.ok((await page.innerText('#outcome')).includes('Label Startup attribué'));
  await head.ctx.close();
  await company.ctx.close();

  // 5. The public directory, without signing in, in both languages.
  const visitor = await newContext(browser, { lang: 'fr' });
  const v = await visitor.newPage();
  for (const lang of ['ar', 'fr']) {
    res = await v.goto(server.url(`/services/startup-label/directory?lang=${lang}`));
    assert.equal(res.status(), 200);
    assert.equal(await v.getAttribute('html', 'lang'), lang);
    const table = await v.innerText('#directory');
    assert.ok(table.includes(number), table);
    assert.ok(table.includes('Atlas Numérique SARL'), table);
    assert.ok(!table.includes(ICE), 'only the directory fields');
    assert.ok(!(await v.innerText('main')).includes('1500000'), 'only the directory fields');
    await check(v, `${lang}-evaluation-directory`);
  }
  await visitor.close();
});

test('no accessibility or page problems on any evaluation page', () => {
  assert.deepEqual(problems, []);
});
