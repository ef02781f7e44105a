/** The EDT on the real WGSL (headless Chromium) vs its CPU twin (bit for bit) and brute force. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edtCpu } from '../../src/kernels/edt/edt.cpu';
import type { PageRunner } from '../../src/platform/node/chromium';
import type { Vec3 } from '../../src/volume/geometry';
import { edtGpu, firstDiff } from '../harness/distance-calls';
import { randomMask } from '../harness/shell-fixtures';
import { startGpuRunner } from '../helpers/gpu-runner';
import { edtBrute } from '../oracles/distance-brute';

let runner: PageRunner;

beforeAll(async () => {
  const started = await startGpuRunner();
  runner = started.runner;
  console.log(`GPU suite adapter: ${JSON.stringify(started.adapter.adapter)}`);
});
afterAll(async () => {
  await runner?.close();
});

const ANISO: Vec3 = [0.35, 0.35, 0.8];

async function expectEdt(dims: Vec3, spacing: Vec3, mask: Uint8Array, signed = false): Promise<void> {
  const gpu = await edtGpu(runner, dims, spacing, mask, signed);
  const cpu = edtCpu(dims, spacing, mask, { signed });
  expect(firstDiff(gpu, cpu)).toBe('equal');
  const brute = edtBrute(dims, spacing, mask, { signed });
  let worst = 0;
  for (let v = 0; v < brute.length; v++) {
    const w = brute[v] as number;
    const g = gpu[v] as number;
    if (!Number.isFinite(w)) expect(g).toBe(w);
    else
      worst = Math.max(worst, Math.abs(Math.sign(g) * Math.sqrt(Math.abs(g)) - Math.sign(w) * Math.sqrt(Math.abs(w))));
  }
  expect(worst).toBeLessThanOrEqual(1e-4);
}

describe('EDT (WGSL) vs its CPU twin and brute force', () => {
  it('random masks with anisotropic spacing on odd dims, unsigned and signed', async () => {
    const dims: Vec3 = [19, 13, 11];
    const n = 19 * 13 * 11;
    await expectEdt(dims, ANISO, randomMask(n, 0.01, 21));
    await expectEdt(dims, ANISO, randomMask(n, 0.3, 22), true);
    await expectEdt(dims, [0.5, 0.7, 1.3], randomMask(n, 0.05, 23), true);
  });

  it('single voxel, masks touching the borders, degenerate dims', async () => {
    const dims: Vec3 = [9, 8, 7];
    const one = new Uint8Array(9 * 8 * 7);
    one[3 + 9 * (4 + 8 * 5)] = 1;
    await expectEdt(dims, ANISO, one);
    const border = new Uint8Array(9 * 8 * 7);
    border[0] = 1;
    border[border.length - 1] = 1;
    border[8 + 9 * 7] = 1;
    await expectEdt(dims, ANISO, border, true);
    await expectEdt([1, 1, 17], ANISO, randomMask(17, 0.2, 24), true);
    await expectEdt([23, 1, 2], ANISO, randomMask(46, 0.1, 25));
  });

  it('empty mask → +∞; full mask signed → −∞', async () => {
    const dims: Vec3 = [6, 5, 3];
    expect(Array.from(await edtGpu(runner, dims, ANISO, new Uint8Array(90))).every((x) => x === Infinity)).toBe(true);
    expect(
      Array.from(await edtGpu(runner, dims, ANISO, new Uint8Array(90).fill(1), true)).every((x) => x === -Infinity),
    ).toBe(true);
  });

  it('a 64×48×40 volume with a sparse vessel-like mask, several grid-stride rounds', async () => {
    const dims: Vec3 = [64, 48, 40];
    const n = 64 * 48 * 40;
    const mask = new Uint8Array(n);
    for (let k = 0; k < 40; k++) {
      const i = Math.round(32 + 20 * Math.cos(k / 7));
      const j = Math.round(24 + 15 * Math.sin(k / 5));
      mask[i + 64 * (j + 48 * k)] = 1;
    }
    const gpu = await edtGpu(runner, dims, ANISO, mask);
    expect(firstDiff(gpu, edtCpu(dims, ANISO, mask))).toBe('equal');
  });
});
