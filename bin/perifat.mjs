#!/usr/bin/env node
// The perifat command. An installed package runs its compiled JavaScript (dist/cli.js); a
// checkout of the sources runs them through tsx, so there is no build step to forget.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let runCli;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import(sources.href));
} else {
  ({ runCli } = await import('../dist/cli.js'));
}
process.exitCode = await runCli(process.argv.slice(2));
