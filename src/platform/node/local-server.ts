/**
 * The HTTP server that feeds the headless page. Scans are patient data: it binds 127.0.0.1 only,
 * every path sits under an unguessable token, and blobs are dropped as soon as they are taken.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>perifat runner</title></head>
<body><script type="module" src="perifat.js"></script></body></html>`;

export class LocalServer {
  readonly token = randomBytes(24).toString('hex');
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly uploads = new Map<string, Uint8Array>();
  private server: Server | null = null;
  private port = 0;
  private nextId = 0;

  constructor(private readonly bundlePath: string) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    // Idle connections outlive the client's own keep-alive (a page or Node's fetch, 4 s): a server
    // that closed first would race a request sent on the closing socket (ECONNRESET) after a long
    // computation between two fetches.
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** The page URL; its directory is the token, so relative fetches stay under it. */
  get pageUrl(): string {
    return `http://127.0.0.1:${this.port}/${this.token}/index.html`;
  }

  /** Offer bytes to the page under a fresh id; the page's first GET takes them. */
  putBlob(bytes: Uint8Array): string {
    const id = `b${this.nextId++}`;
    this.blobs.set(id, bytes);
    return id;
  }

  dropBlob(id: string): void {
    this.blobs.delete(id);
  }

  /** Bytes the page posted under `id` (big results such as masks), removed on read. */
  takeUpload(id: string): Uint8Array | undefined {
    const u = this.uploads.get(id);
    this.uploads.delete(id);
    return u;
  }

  async close(): Promise<void> {
    this.blobs.clear();
    this.uploads.clear();
    const s = this.server;
    this.server = null;
    if (s) {
      s.closeAllConnections();
      await new Promise<void>((ok) => s.close(() => ok()));
    }
  }

  /** Every request parsed inside a guard: a malformed one is a 400, never the runner's end. */
  private handle(req: IncomingMessage, res: ServerResponse): void {
    try {
      this.route(req, res);
    } catch {
      if (!res.headersSent) end(res, 400);
      else res.end();
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = `/${this.token}/`;
    if (!url.pathname.startsWith(prefix)) return void end(res, 404);
    const rest = url.pathname.slice(prefix.length);
    res.setHeader('cache-control', 'no-store');
    if (req.method === 'GET' && rest === 'index.html') return void end(res, 200, 'text/html', PAGE);
    if (req.method === 'GET' && rest === 'perifat.js') {
      return void end(res, 200, 'text/javascript', readFileSync(this.bundlePath));
    }
    if (req.method === 'GET' && rest.startsWith('blob/')) {
      const id = decodeURIComponent(rest.slice(5));
      const blob = this.blobs.get(id);
      if (!blob) return void end(res, 404);
      this.blobs.delete(id);
      return void end(res, 200, 'application/octet-stream', blob);
    }
    if (req.method === 'POST' && rest.startsWith('upload/')) {
      const id = decodeURIComponent(rest.slice(7));
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.uploads.set(id, new Uint8Array(Buffer.concat(chunks)));
        end(res, 204);
      });
      return;
    }
    end(res, 404);
  }
}

function end(res: ServerResponse, status: number, type?: string, body?: string | Uint8Array): void {
  res.statusCode = status;
  if (type) res.setHeader('content-type', type);
  res.end(body);
}
