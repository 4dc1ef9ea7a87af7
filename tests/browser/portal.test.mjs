// The unified portal in a real browser, with the data-exchange demo running beside the server
// (portal_harness.mjs: `serve --with-exchange`): a citizen finds "student-registration" in the
// catalogue (an Arabic search without vowels, then with them; a French one), opens its start page,
// starts, gives a student number, sees the consent page naming the Ministry, agrees, sees the
// result fetched from the Ministry read-only through UNIV's and MEN's gateways, answers the other
// questions (a bad phone number shows the error summary), uploads a PNG photo, checks the answers,
// submits, gets a register number UNIV-YYYY-… and downloads the receipt PDF.
// In Arabic with JavaScript on (axe and the text-contrast check on each page as it is), in French
// with JavaScript OFF (each page's exact HTML through axe in a script-enabled page, harness.mjs's
// NoScriptChecks). Every problem found is collected; the last test asserts there are none.
//   IDARA_BIN=build/debug/app/idara node --test tests/browser/portal.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { NoScriptChecks, checkPage, launchBrowser, newContext, pathOf, submit } from './harness.mjs';
import { PortalServer, smallPng } from './portal_harness.mjs';

const CITIZEN = { ar: 'amina.elmansouri@example.ma', fr: 'youssef.benali@example.ma' };
const T = {
  ar: {
    searches: ['جامعة', 'جَامِعَة'],  // a keyword without vowels, then with them
    title: 'التسجيل في السنة الأولى بالجامعة',
    ministry: 'وزارة التربية الوطنية والتعليم الأولي والرياضة',
    fetched: ['ياسمين', 'Yasmine', '16.42'],
    summary: 'يتضمن النموذج أخطاء',
    programme: 'الرياضيات والمعلوميات',
  },
  fr: {
    searches: ['université'],
    title: "Inscription en première année à l'université",
    ministry: "Ministère de l'Éducation nationale, du Préscolaire et des Sports",
    fetched: ['Yasmine', 'El Amrani', '16,42'],
    summary: 'Le formulaire contient des erreurs',
    programme: 'Mathématiques et informatique',
  },
};
const STUDENT = 'R130245871';

const server = new PortalServer();
let browser;
const ui = new NoScriptChecks(server);
const problems = [];

before(async () => {
  await server.start();
  browser = await launchBrowser();
  await ui.open(browser);
}, { timeout: 400_000 });

after(async () => {
  await ui.close();
  await browser?.close();
  await server.stop();
}, { timeout: 90_000 });

for (const lang of ['ar', 'fr']) {
  const javaScript = lang === 'ar';
  // The page checks: as the page is (JavaScript on), or its HTML in the axe page (off).
  const check = async (page, name) => {
    if (javaScript) problems.push(...await checkPage(page, { name }));
    else await ui.check(page, name);
  };
  const go = async (page, selector, status = 200) => {
    const res = await submit(page, selector);
    assert.equal(res.status(), status, `${selector} on ${pathOf(page)} → ${res.status()}`);
    return res;
  };

  test(`a student registers at the university through the portal (${lang}, JavaScript ${javaScript ? 'on' : 'off'})`,
    { timeout: 420_000 }, async () => {
      const ctx = await newContext(browser, { lang, javaScript });
      const page = await ctx.newPage();
      await ui.signIn(page, CITIZEN[lang]);

      // The catalogue, searched.
      let res = await page.goto(server.url('/services'));
      assert.equal(res.status(), 200);
      await check(page, `${lang}-portal-services`);
      for (const [i, q] of T[lang].searches.entries()) {
        await page.fill('#q', q);
        await go(page, 'form[role=search] .search__row button');
        assert.equal(await page.locator('a[href="/services/student-registration"]').count(), 1, `found with "${q}"`);
        if (i === 0) await check(page, `${lang}-portal-services-search`);
      }
      await go(page, 'a[href="/services/student-registration"]');

      // The start page.
      assert.equal(pathOf(page), '/services/student-registration');
      assert.equal((await page.textContent('h1')).trim(), T[lang].title);
      assert.match(await page.innerText('#documents'), new RegExp(T[lang].ministry.replace(/[()]/g, '.')));
      await check(page, `${lang}-portal-start`);
      await go(page, 'button.button--start');

      // Step 1: the student number.
      const m = pathOf(page).match(/^\/applications\/([a-z0-9]+)\/steps\/student$/);
      assert.ok(m, `on the first step: ${pathOf(page)}`);
      const app = `/applications/${m[1]}`;
      await check(page, `${lang}-portal-step-student`);
      await page.fill('#student_number', STUDENT);
      await go(page, 'main form button.button[type=submit]');

      // Consent: the page names the Ministry; agree.
      assert.equal(pathOf(page), `${app}/lookups/bac`);
      assert.ok((await page.innerText('main')).includes(T[lang].ministry), 'the provider is named');
      await check(page, `${lang}-portal-consent`);
      await page.check('#consent');
      await go(page, 'main form button.button[type=submit]');

      // The data received from the Ministry, read-only.
      assert.equal(pathOf(page), `${app}/lookups/bac`);
      const fetched = await page.innerText('#fetched');
      for (const v of T[lang].fetched) assert.ok(fetched.includes(v), `fetched ${v}: ${fetched}`);
      assert.equal(await page.locator('main input:not([type=hidden])').count(), 0, 'no inputs for fetched data');
      await check(page, `${lang}-portal-fetched`);
      await go(page, 'main a.button');

      // The other questions; a bad phone number shows the error summary.
      assert.equal(pathOf(page), `${app}/steps/faculty`);
      await check(page, `${lang}-portal-step-faculty`);
      await page.check('#faculty');
      await go(page, 'main form button.button[type=submit]');
      assert.equal(pathOf(page), `${app}/steps/programme`);
      await page.fill('#programme', T[lang].programme);
      await go(page, 'main form button.button[type=submit]');
      assert.equal(pathOf(page), `${app}/steps/contact`);
      await page.fill('#phone', '12345');
      await go(page, 'main form button.button[type=submit]', 400);
      assert.equal((await page.textContent('.error-summary h2')).trim(), T[lang].summary);
      assert.equal(await page.getAttribute('.error-summary a', 'href'), '#phone');
      assert.equal(await page.getAttribute('#phone', 'aria-invalid'), 'true');
      await check(page, `${lang}-portal-step-contact-error`);
      await page.fill('#phone', '0612345678');
      await go(page, 'main form button.button[type=submit]');

      // The photo.
      assert.equal(pathOf(page), `${app}/documents`);
      assert.equal(await page.locator('#doc_bac_result').count(), 0, 'the bac result is fetched, not asked');
      await check(page, `${lang}-portal-documents`);
      await page.setInputFiles('#doc_photo', { name: `photo-${lang}.png`, mimeType: 'image/png', buffer: await smallPng() });
      await go(page, 'form[enctype="multipart/form-data"] button[type=submit]');

      // Check your answers, then submit.
      assert.equal(pathOf(page), `${app}/check`);
      for (const step of ['student', 'faculty', 'programme', 'contact'])
        assert.equal(await page.locator(`a[href="${app}/steps/${step}"]`).count(), 1, `Change ${step}`);
      assert.ok((await page.innerText('main')).includes('0612345678'));
      await check(page, `${lang}-portal-check`);
      const done = await go(page, `form[action="${app}/submit"] button[type=submit]`);
      assert.equal(done.headers()['cache-control'], 'no-store');
      const number = (await page.textContent('#register-number')).trim();
      assert.match(number, new RegExp(`^UNIV-${new Date().getFullYear()}-\\d+$`));
      assert.ok((await page.textContent('#tracking-code')).trim().length >= 8, 'a tracking code');
      await check(page, `${lang}-portal-done`);

      const href = await page.getAttribute('#receipt-link', 'href');
      assert.equal(href, `/deposits/${number}/receipt.pdf`);
      const pdf = await ctx.request.get(server.url(href));
      assert.equal(pdf.status(), 200);
      assert.equal(pdf.headers()['content-type'], 'application/pdf');
      assert.equal((await pdf.body()).subarray(0, 4).toString('latin1'), '%PDF');

      // The applicant's list shows it with its number.
      res = await page.goto(server.url('/applications'));
      assert.equal(res.status(), 200);
      assert.ok((await page.innerText('main')).includes(number));
      await check(page, `${lang}-portal-applications`);
      await ctx.close();
    });
}

test('no accessibility or page problems on any portal page', () => {
  assert.deepEqual([...problems, ...ui.problems], []);
});
