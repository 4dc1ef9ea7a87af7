// The web shell in a real browser: journeys in Arabic and French, sign-in
// without JavaScript, the language switch, error pages; axe (WCAG 2.2 AA),
// text contrast, page weight and a screenshot on every page visited.
//   IDARA_BIN=build/debug/app/idara node --test tests/browser/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdaraServer, checkPage, launchBrowser, newContext, trackWeight } from './harness.mjs';

const T = {
  ar: { home: 'مرحبًا بكم في بوابة إدارة', staff: 'فضاء الموظفين', account: 'حسابي', forbidden: 'الولوج غير مسموح به',
    notFound: 'الصفحة غير موجودة', errorTitle: 'خطأ:', summary: 'يتضمن النموذج أخطاء', signIn: 'تسجيل الدخول' },
  fr: { home: 'Bienvenue sur le portail idara', staff: 'Espace agents', account: 'Mon compte', forbidden: 'Accès refusé',
    notFound: 'Page introuvable', errorTitle: 'Erreur :', summary: 'Le formulaire contient des erreurs', signIn: 'Se connecter' },
};

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

// Opens `path` and runs the page checks under `name` (screenshot <name>.png).
async function visit(page, path, name, { status = 200, axe = true } = {}) {
  const weight = trackWeight(page);
  const res = await page.goto(server.url(path));
  assert.equal(res.status(), status, `${path} → ${res.status()}`);
  await page.waitForLoadState('load');
  problems.push(...await checkPage(page, { name, weight, axe }));
  return res;
}

async function signIn(page, { login, password }) {
  await page.goto(server.url('/login'));
  await page.fill('#login', login);
  await page.fill('#password', password);
  const [res] = await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  return res;
}

async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.click('form[action="/logout"] button')]);
}

function path(page) { const u = new URL(page.url()); return u.pathname + u.search; }

test('anonymous pages in Arabic and in French', { timeout: 120_000 }, async () => {
  for (const lang of ['ar', 'fr']) {
    const ctx = await newContext(browser, { lang });
    const page = await ctx.newPage();
    await visit(page, '/', `${lang}-home`);
    assert.equal(await page.textContent('h1'), T[lang].home);
    assert.equal(await page.getAttribute('a.skip-link', 'href'), '#main');
    await visit(page, '/login', `${lang}-login`);
    assert.equal(await page.getAttribute('#login', 'autocomplete'), 'username');
    assert.equal(await page.getAttribute('#password', 'autocomplete'), 'current-password');
    await visit(page, '/no-such-page', `${lang}-404`, { status: 404 });
    assert.equal(await page.textContent('h1'), T[lang].notFound);
    await ctx.close();
  }
});

test('the language switch keeps the page', { timeout: 60_000 }, async () => {
  const ctx = await newContext(browser, { lang: 'ar' });
  const page = await ctx.newPage();
  await page.goto(server.url('/login?next=%2Faccount'));
  assert.equal(await page.getAttribute('html', 'lang'), 'ar');
  await Promise.all([page.waitForNavigation(), page.click('a.lang-switch')]);
  assert.equal(path(page), '/login?next=%2Faccount');
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
  await Promise.all([page.waitForNavigation(), page.click('a.lang-switch')]);
  assert.equal(path(page), '/login?next=%2Faccount');
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  // A switch to another site is refused: it lands on a local page.
  await page.goto(server.url('/lang/fr?next=//evil.example/'));
  assert.equal(new URL(page.url()).host, new URL(server.base).host);
  await ctx.close();
});

test('a failed sign-in shows the error summary', { timeout: 60_000 }, async () => {
  for (const lang of ['ar', 'fr']) {
    const ctx = await newContext(browser, { lang });
    const page = await ctx.newPage();
    const res = await signIn(page, { login: 'nobody@example.ma', password: 'not-the-password' });
    assert.equal(res.status(), 401);
    assert.equal((await page.textContent('.error-summary h2')).trim(), T[lang].summary);
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#login');
    assert.ok((await page.title()).startsWith(T[lang].errorTitle), await page.title());
    assert.equal(await page.inputValue('#login'), 'nobody@example.ma', 'the login is kept');
    assert.equal(await page.inputValue('#password'), '', 'the password is not sent back');
    assert.equal(await page.getAttribute('#login', 'aria-invalid'), 'true');
    problems.push(...await checkPage(page, { name: `${lang}-login-error` }));
    await ctx.close();
  }
});

// Demo accounts whose saved language is the journey's: a signed-in person's preference
// wins over the browser's Accept-Language (see src/web/lang.hpp).
const CITIZEN = { ar: 'amina.elmansouri@example.ma', fr: 'youssef.benali@example.ma' };
const STAFF = { ar: ['unit_head', 'MEF'], fr: ['signer', 'MEF'] };

for (const lang of ['ar', 'fr']) {
  test(`a citizen signs in and out (${lang})`, { timeout: 120_000 }, async () => {
    const who = server.account(CITIZEN[lang]);
    const ctx = await newContext(browser, { lang });
    const page = await ctx.newPage();
    await signIn(page, who);
    assert.equal(path(page), '/');
    await visit(page, '/', `${lang}-citizen-home`);
    assert.equal(await page.locator('a[href="/staff"]').count(), 0, 'no staff link for a citizen');
    await visit(page, '/account', `${lang}-citizen-account`);
    assert.match(await page.innerText('main'), new RegExp(who.login.replace(/[.+]/g, '\\$&')));
    await visit(page, '/account/password', `${lang}-citizen-password`);
    await page.fill('#current_password', who.password);
    await page.fill('#new_password', 'a long new pass phrase 2025');
    await page.fill('#confirm_password', 'a different pass phrase');
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#confirm_password');
    problems.push(...await checkPage(page, { name: `${lang}-citizen-password-error` }));
    await visit(page, '/staff', `${lang}-403`, { status: 403 });
    assert.equal(await page.textContent('h1'), T[lang].forbidden);
    await signOut(page);
    assert.equal(await page.locator('nav a[href="/login"]').count(), 1, 'signed out');
    await page.goto(server.url('/account'));
    assert.equal(path(page), '/login?next=%2Faccount', 'the account page needs a session again');
    await ctx.close();
  });

  test(`a staff member signs in and sees their administration (${lang})`, { timeout: 120_000 }, async () => {
    const who = server.account(...STAFF[lang]);
    const ctx = await newContext(browser, { lang });
    const page = await ctx.newPage();
    await signIn(page, who);
    assert.equal(path(page), '/staff', 'staff land on the staff home');
    await visit(page, '/staff', `${lang}-staff-home`);
    assert.equal(await page.textContent('h1'), T[lang].staff);
    assert.ok((await page.textContent('.panel__title')).trim().length > 0, 'administration name');
    assert.ok(await page.locator('.unit-tree li').count() >= 1, 'unit tree');
    await visit(page, '/account', `${lang}-staff-account`);
    assert.match(await page.innerText('main'), new RegExp(who.login.replace(/[.+]/g, '\\$&')));
    await signOut(page);
    await ctx.close();
  });
}

test('the sign-in journey works without JavaScript', { timeout: 120_000 }, async () => {
  for (const lang of ['ar', 'fr']) {
    const ctx = await newContext(browser, { lang, javaScript: false });
    const page = await ctx.newPage();
    const who = server.account(CITIZEN[lang]);
    await page.goto(server.url('/account'));
    assert.equal(path(page), '/login?next=%2Faccount');
    await page.fill('#login', who.login);
    await page.fill('#password', who.password);
    await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
    assert.equal(path(page), '/account', 'back to the page asked for');
    assert.equal(await page.textContent('h1'), T[lang].account);
    problems.push(...await checkPage(page, { name: `${lang}-nojs-account`, axe: false }));
    await signOut(page);
    assert.equal(await page.locator('nav a[href="/login"]').count(), 1);
    await ctx.close();
  }
});

test('every page visited passes axe, contrast and weight checks', () => {
  assert.deepEqual(problems, []);
});
