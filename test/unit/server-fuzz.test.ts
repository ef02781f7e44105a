/**
 * The page server (`npm run demo`, the page tests) and the runner's local server under hostile
 * requests — random bytes, methods, percent-encodings, headers, long URLs, sent raw to 127.0.0.1 —
 * never end the process: a malformed request is a 400 (or 404), and a valid request still works
 * after all of them. Bounded in count and time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalServer } from '../../src/platform/node/local-server';
import { type StaticServer, serveStatic } from '../../src/platform/node/static-server';
import { rng } from '../helpers/random';

/** One raw request; resolves with the status line's code (0 when the socket closed without one). */
function raw(port: number, bytes: Uint8Array | string): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const done = (): void => {
      s.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      resolve(m ? Number(m[1]) : 0);
    };
    s.setTimeout(2000, done);
    s.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done();
    });
    s.on('error', done);
    s.on('close', done);
    s.end(bytes);
  });
}

function hostileRequests(prefix: string, n: number, seed: number): (string | Uint8Array)[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'BREW', 'G\u00e9T', ''];
  const paths = [
    '/%E0%A4%A',
    '/%',
    `${prefix}%E0%A4%A`,
    `${prefix}..%2F..%2Fetc%2Fpasswd`,
    `${prefix}blob/%ZZ`,
    `${prefix}upload/%`,
    '/' + 'a'.repeat(70_000),
    `${prefix}${'%41'.repeat(10_000)}`,
    'http://[::1',
    '*',
    '',
    `${prefix}index.html?%%%`,
  ];
  const out: (string | Uint8Array)[] = [];
  for (let i = 0; i < n; i++) {
    const kind = Math.floor(r() * 4);
    if (kind === 0) out.push(Uint8Array.from({ length: 1 + Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
    else if (kind === 1) out.push(`${pick(methods)} ${pick(paths)} HTTP/1.1\r\nhost: x\r\n\r\n`);
    else if (kind === 2)
      out.push(
        `GET ${pick(paths)} HTTP/1.1\r\nhost: x\r\n${'x-a: ' + 'b'.repeat(Math.floor(r() * 20_000))}\r\nbad header\r\n\r\n`,
      );
    else {
      const bytes = Array.from({ length: 1 + Math.floor(r() * 40) }, () => String.fromCharCode(Math.floor(r() * 256)));
      out.push(`GET ${prefix}${bytes.join('')} HTTP/1.1\r\nhost: x\r\n\r\n`);
    }
  }
  return out;
}

describe('servers under hostile requests', () => {
  let dir: string;
  let page: StaticServer;
  let local: LocalServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perifat-fuzz-server-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ok</title>');
    writeFileSync(join(dir, 'bundle.js'), 'export {};');
    page = await serveStatic(dir);
    local = new LocalServer(join(dir, 'bundle.js'));
    await local.start();
  });
  afterAll(async () => {
    await page?.close();
    await local?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the page server: GET /%E0%A4%A is a 400; 300 random requests end none of its work', async () => {
    const url = new URL(page.url);
    const port = Number(url.port);
    expect(await raw(port, 'GET /%E0%A4%A HTTP/1.1\r\nhost: x\r\n\r\n')).toBe(400);
    expect(await raw(port, `GET ${url.pathname}%E0%A4%A HTTP/1.1\r\nhost: x\r\n\r\n`)).toBe(400);
    const codes = new Set<number>();
    for (const req of hostileRequests(url.pathname, 300, 7)) codes.add(await raw(port, req));
    for (const c of codes) expect([0, 200, 400, 403, 404, 405, 413, 414, 431, 501, 505]).toContain(c);
    const res = await fetch(page.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>ok</title>');
  }, 60_000);

  it("the runner's local server: 300 random requests, then its page still loads", async () => {
    const url = new URL('./', local.pageUrl);
    const port = Number(url.port);
    for (const req of hostileRequests(url.pathname, 300, 8)) await raw(port, req);
    expect((await fetch(new URL('perifat.js', local.pageUrl))).status).toBe(200);
  }, 60_000);
});
