/**
 * `npm run demo`: builds the perifat page (app/) and serves it on 127.0.0.1 under an unguessable
 * token, printing the URL. Nothing but the page's static files is served: scans opened in the page
 * stay in the browser. Ctrl-C stops it. `--no-build` serves the last build; `--port N` a fixed port.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { serveStatic } from '../src/platform/node/static-server';

const { values } = parseArgs({
  options: { 'no-build': { type: 'boolean', default: false }, port: { type: 'string' } },
});
const app = fileURLToPath(new URL('../app', import.meta.url));
if (!values['no-build']) {
  process.stderr.write('building the page (app/ → app/dist)…\n');
  await build({ configFile: `${app}/vite.config.ts`, logLevel: 'error' });
}
const server = await serveStatic(`${app}/dist`, values.port !== undefined ? Number(values.port) : 0);
process.stdout.write(`perifat page: ${server.url}\n  a phantom at once: ${server.url}?demo=phantom\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
