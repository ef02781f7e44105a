// Source mode only (a checkout without a fresh build): `import code from './x.wgsl?raw'`, which
// Vite and the build turn into the file's text, loaded the same way by Node's module hooks.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function load(url, context, nextLoad) {
  const u = new URL(url);
  if (u.protocol === 'file:' && u.pathname.endsWith('.wgsl')) {
    u.search = '';
    const text = await readFile(fileURLToPath(u), 'utf8');
    return { format: 'module', source: `export default ${JSON.stringify(text)};`, shortCircuit: true };
  }
  return nextLoad(url, context);
}
