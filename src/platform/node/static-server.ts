/**
 * A static file server for a built page (`npm run demo`, the page tests): 127.0.0.1 only, every
 * path under an unguessable token, the MIME types a module page with workers and wasm needs. No
 * request can stop it: each is parsed inside a guard (a malformed URL is a 400).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticServer {
  /** URL of the served folder, ending in '/'. */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveStatic(root: string, port = 0): Promise<StaticServer> {
  const token = randomBytes(16).toString('hex');
  const server: Server = createServer((req, res) => {
    // Every request is parsed inside a guard: a malformed one is a 400, never the server's end.
    try {
      serve(req.url ?? '', res);
    } catch {
      if (!res.headersSent) res.writeHead(400);
      res.end();
    }
  });
  const serve = (url: string, res: ServerResponse): void => {
    const path = decodeURIComponent(url.split('?')[0] ?? '');
    const prefix = `/${token}/`;
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end();
      return;
    }
    const rel = normalize(path.slice(prefix.length) || 'index.html');
    if (rel.startsWith('..')) {
      res.writeHead(403).end();
      return;
    }
    const file = join(root, rel);
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(readFileSync(file));
    } catch {
      res.writeHead(404).end();
    }
  };
  // A client error (a malformed request line or header) gets a 400 and the socket closes.
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/${token}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
