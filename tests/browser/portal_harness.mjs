// The portal's browser tests need the server WITH the data-exchange demo: `idara serve
// --with-exchange --exchange-base-port B` also runs `idara exchange up` (central, three gateways,
// the MEN and ETATCIVIL back-ends on B..B+32) and points the portal's exchange client at UNIV's
// gateway client port B+3 (client MA/GOV/UNIV/registration). harness.mjs's IdaraServer starts
// `serve` with fixed arguments, so this file adds a server class that chooses a free block of
// ports and waits until the exchange demo says it is up.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdaraServer } from './harness.mjs';

const EXCHANGE_PORTS = 33;  // base .. base+32 (see `idara exchange demo-setup`)

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

// A base port B such that B..B+32 are all free on 127.0.0.1 now (random, to keep parallel
// runs of different test files apart).
export async function freeExchangeBase() {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20000 + Math.floor(Math.random() * 400) * 100;
    let ok = true;
    for (let p = base; p < base + EXCHANGE_PORTS && ok; p += 1) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error('no free block of exchange ports');
}

export class PortalServer extends IdaraServer {
  async start() {
    const bin = process.env.IDARA_BIN;
    if (!bin || !fs.existsSync(bin)) throw new Error(`IDARA_BIN must name the idara binary (got ${bin})`);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idara-portal-'));
    const init = spawnSync(bin, ['init', '--data-dir', this.dir, '--demo'], { encoding: 'utf8', timeout: 120_000 });
    if (init.status !== 0) throw new Error(`idara init failed (${init.status}): ${init.stderr}`);
    this.initOutput = `${init.stdout}\n${init.stderr}`;
    this.exchangeBase = await freeExchangeBase();
    const portFile = path.join(this.dir, 'port');
    this.log = fs.openSync(path.join(this.dir, 'serve.log'), 'w');
    this.proc = spawn(bin, ['serve', '--data-dir', this.dir, '--port', '0', '--port-file', portFile,
      '--with-exchange', '--exchange-base-port', String(this.exchangeBase)],
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
    // The exchange demo (PKI, registrations, five processes) takes a while with sanitizers.
    for (let waited = 0; ; waited += 250) {
      if (fs.readFileSync(path.join(this.dir, 'serve.log'), 'utf8').includes('idara exchange demo is up')) break;
      if (this.proc.exitCode !== null) throw new Error(`idara serve exited: ${this.serveLog()}`);
      if (waited > 240_000) throw new Error(`the exchange demo did not come up within 240 s: ${this.serveLog()}`);
      await sleep(250);
    }
    return this;
  }

  serveLog() { return fs.readFileSync(path.join(this.dir, 'serve.log'), 'utf8').slice(-8000); }
}

// A small valid PNG (a flat-coloured `w`×`h` RGB image) for the photo upload, built with zlib.
export async function smallPng(w = 32, h = 40) {
  const zlib = await import('node:zlib');
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y += 1) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x += 1) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = 40 + x; raw[o + 1] = 90 + y; raw[o + 2] = 160;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
