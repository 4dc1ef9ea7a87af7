// Shared pieces of the browser tests: a throwaway idara server with demo data,
// Chromium, and the checks run on every page (axe, text contrast, weight, screenshot).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

export const MAX_PAGE_BYTES = 100 * 1024;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// ---- The server

export class IdaraServer {
  async start() {
    const bin = process.env.IDARA_BIN;
    if (!bin || !fs.existsSync(bin)) throw new Error(`IDARA_BIN must name the idara binary (got ${bin})`);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idara-browser-'));
    const init = spawnSync(bin, ['init', '--data-dir', this.dir, '--demo'], { encoding: 'utf8', timeout: 120_000 });
    if (init.status !== 0) throw new Error(`idara init failed (${init.status}): ${init.stderr}`);
    this.initOutput = `${init.stdout}\n${init.stderr}`;
    const portFile = path.join(this.dir, 'port');
    this.log = fs.openSync(path.join(this.dir, 'serve.log'), 'w');
    this.proc = spawn(bin, ['serve', '--data-dir', this.dir, '--port', '0', '--port-file', portFile],
      { stdio: ['ignore', this.log, this.log] });
    this.exited = new Promise((resolve) => this.proc.on('exit', resolve));
    for (let waited = 0; ; waited += 100) {
      const text = fs.existsSync(portFile) ? fs.readFileSync(portFile, 'utf8').trim() : '';
      if (/^\d+$/.test(text)) { this.port = Number(text); break; }
      if (this.proc.exitCode !== null) throw new Error(`idara serve exited: ${this.serveLog()}`);
      if (waited > 60_000) throw new Error('idara serve did not write its port file within 60 s');
      await sleep(100);
    }
    this.base = `http://127.0.0.1:${this.port}`;
    return this;
  }

  // A bearer token for a demo login (`idara token create`).
  createToken(login) {
    const r = spawnSync(process.env.IDARA_BIN, ['token', 'create', '--data-dir', this.dir, '--login', login, '--name', 'browser'],
      { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`token for ${login}: ${r.stderr}`);
    return r.stdout.trim().split('\n').pop().trim();
  }

  // A JSON API call with a bearer token; fails unless the answer has `status`.
  async api(token, method, p, body, status = 200) {
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.url(p), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== status) throw new Error(`${method} ${p} → ${res.status} (expected ${status}): ${text}`);
    return JSON.parse(text);
  }

  serveLog() { return fs.readFileSync(path.join(this.dir, 'serve.log'), 'utf8').slice(-4000); }

  url(p) { return this.base + p; }

  // The first demo account whose line in `idara init --demo` output has all the words
  // (lines read "login password kind …"; see src/identity/demo.cpp).
  account(...words) {
    for (const line of this.initOutput.split('\n')) {
      const padded = ` ${line.trim()} `;
      if (!line.includes('@') || !words.every((w) => padded.includes(` ${w} `))) continue;
      const [login, password] = line.trim().split(/\s+/);
      return { login, password, line: line.trim() };
    }
    throw new Error(`no demo account with ${words.join(', ')} in:\n${this.initOutput}`);
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.log !== undefined) fs.closeSync(this.log);
    if (this.dir && !process.env.IDARA_KEEP_DATA) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- The browser

export async function launchBrowser() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export async function newContext(browser, { lang = 'ar', javaScript = true } = {}) {
  return browser.newContext({
    locale: lang === 'ar' ? 'ar-MA' : 'fr-FR',
    javaScriptEnabled: javaScript,
    viewport: { width: 1024, height: 768 },
  });
}

// ---- Checks on one page

export function screenshotDir() {
  const dir = process.env.IDARA_SCREENSHOT_DIR || path.resolve('screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// Bytes transferred for the page and everything it loaded (the stylesheet may come from the cache:
// it is counted once per context, on the first page that fetched it).
export function trackWeight(page) {
  const state = { bytes: 0 };
  page.on('response', async (res) => {
    try { state.bytes += (await res.body()).length; } catch { /* redirects have no body */ }
  });
  return state;
}

// axe with the WCAG A/AA tags. Returns readable violation lines.
export async function axeViolations(page) {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

// axe-core skips Arabic text in its colour-contrast rule (joined letters look like icon glyphs
// to it). This check measures every visible text run, whatever its script, against the first
// opaque background behind it: 4.5:1, or 3:1 for large text (24px, or 18.66px bold).
export async function textContrastViolations(page) {
  return page.evaluate(() => {
    const rgb = (s) => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
    const lum = ({ r, g, b }) => [r, g, b].map((c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
      .reduce((acc, c, i) => acc + c * [0.2126, 0.7152, 0.0722][i], 0);
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a > 0.99) return c; }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const bad = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el) continue;
      const st = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      if (st.visibility === 'hidden' || st.display === 'none' || box.width <= 1 || box.height <= 1) continue;
      if (el.closest('.skip-link')) continue;  // shown only when focused (then black on amber)
      const fg = rgb(st.color); const bg = background(el);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      const size = parseFloat(st.fontSize); const bold = Number(st.fontWeight) >= 700;
      const min = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
      if (ratio < min) bad.push(`${ratio.toFixed(2)} < ${min}: "${n.textContent.trim().slice(0, 40)}"`);
    }
    return bad;
  });
}

// Runs every page check; returns a list of problems (empty when all is well).
export async function checkPage(page, { name, weight, axe = true }) {
  const problems = [];
  const lang = await page.getAttribute('html', 'lang');
  const dir = await page.getAttribute('html', 'dir');
  if (!((lang === 'ar' && dir === 'rtl') || (lang === 'fr' && dir === 'ltr'))) problems.push(`${name}: html lang=${lang} dir=${dir}`);
  const html = await page.content();
  if (/\b(web|error)\.[a-z_]+\.[a-z_]/.test(await page.innerText('body'))) problems.push(`${name}: a raw catalogue key is shown`);
  if (weight && weight.bytes > MAX_PAGE_BYTES) problems.push(`${name}: ${weight.bytes} bytes > ${MAX_PAGE_BYTES}`);
  if (html.length > MAX_PAGE_BYTES) problems.push(`${name}: HTML is ${html.length} bytes`);
  if (axe) {
    for (const v of await axeViolations(page)) problems.push(`${name}: axe ${v}`);
    for (const v of await textContrastViolations(page)) problems.push(`${name}: contrast ${v}`);
  }
  await page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
  return problems;
}

// ---- Journeys with JavaScript off (registry.test.mjs, letters.test.mjs, window.test.mjs)

// A small, valid one-page PDF (qpdf must parse it: correct xref offsets).
export function minimalPdf(label) {
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

// The page's path and query ("/window?inbox=mine").
export function pathOf(page) { const u = new URL(page.url()); return u.pathname + u.search; }

// Clicks and waits for the navigation it causes; returns its response.
export async function submit(page, selector) {
  const [res] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return res;
}

// The checks of a no-script journey: each page as the visitor got it (lang/dir, raw keys,
// weight), then its exact HTML through axe and the text-contrast check in a separate,
// script-enabled page of the same origin (axe hangs when scripts are off). What they find
// accumulates in `problems`, which a last test asserts is empty.
export class NoScriptChecks {
  constructor(server) { this.server = server; this.problems = []; }

  async open(browser) {
    this.axeCtx = await newContext(browser, { lang: 'ar', javaScript: true });
    this.axePage = await this.axeCtx.newPage();
    await this.axePage.goto(this.server.url('/track'));
  }

  async close() { await this.axeCtx?.close(); }

  async check(page, name) {
    this.problems.push(...await checkPage(page, { name, axe: false }));
    const html = await page.content();
    await this.axePage.setContent(html, { waitUntil: 'load' });
    this.problems.push(...await checkPage(this.axePage, { name: `${name}-axe` }));
  }

  async goto(page, p, name, status = 200) {
    const res = await page.goto(this.server.url(p));
    assert.equal(res.status(), status, `${p} → ${res.status()}`);
    await this.check(page, name);
    return res;
  }

  async signIn(page, login) {
    const who = this.server.account(login);
    await page.goto(this.server.url('/login'));
    await page.fill('#login', who.login);
    await page.fill('#password', who.password);
    await submit(page, 'main form button[type=submit]');
    assert.notEqual(new URL(page.url()).pathname, '/login', `signed in as ${login}`);
  }
}

// ---- The demo second factor (docs/DEMO.md; demonstration only)

// Every demo signer and admin account has this TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s).
export const DEMO_TOTP_SECRET = 'NFSGC4TBFVSGK3LPFV2G65DQFUZDAMRW';

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

// The code of time step `counter` (Unix seconds / 30) for a base32 secret.
export function totpAt(secret, counter) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const o = h[h.length - 1] & 0x0f;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

// A demo code the server has not accepted yet: a code is used once, so a second signature in the
// same 30-second step takes the next step's code (one step either side is accepted), and a third
// waits for the next step. One sequence per process (each test file is its own process).
let lastCounter = -1;
export async function freshDemoCode() {
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / 30);
    const counter = Math.max(now, lastCounter + 1);
    if (counter <= now + 1) { lastCounter = counter; return totpAt(DEMO_TOTP_SECRET, counter); }
    await sleep(1000);
  }
}
