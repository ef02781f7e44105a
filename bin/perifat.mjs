#!/usr/bin/env node
// The perifat command. It runs compiled JavaScript (dist/cli.js, from `npm run build`) — an
// installed package has nothing else — and in a checkout of the sources only while that build is
// newer than every source and shader file; otherwise the sources through tsx, so an edit never
// runs stale code and there is no build step to forget.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/cli.js', import.meta.url);

/** The newest modification time under a folder (0 when absent). */
function newest(dir) {
  let t = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = `${dir}/${e.name}`;
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function builtIsFresh() {
  if (!existsSync(built)) return false;
  const at = statSync(built).mtimeMs;
  return at >= newest(`${root}src`) && at >= newest(`${root}shaders`);
}

let runCli;
if (existsSync(sources) && !builtIsFresh()) {
  const { register } = await import('tsx/esm/api');
  register();
  (await import('node:module')).register('./wgsl-hooks.mjs', import.meta.url);
  ({ runCli } = await import(sources.href));
} else {
  ({ runCli } = await import(built.href));
}
process.exitCode = await runCli(process.argv.slice(2));
