/**
 * Benchmark of centerlines from a coronary mask on a clinical-size grid: a phantom lumen tree
 * (scale 1.6 — a real heart's size — and 1.3 for comparison with older runs; vessels to 120 mm)
 * at 0.4 mm embedded in a 512 × 512 × 300 volume, with its aorta mask, through the CPU EDT.
 * Prints per-stage times and the total.
 *
 *   npx tsx bench/centerlines.ts
 */
import { centerlinesFromMask } from '../src/centerlines/from-mask';
import { edtCpu } from '../src/kernels/edt/edt.cpu';
import { makeLumenTree } from '../src/phantom/lumen-tree';
import type { Vec3 } from '../src/volume/geometry';
import type { LabelVolume } from '../src/volume/volume';

const DIMS: Vec3 = [512, 512, 300];
const embed = (m: LabelVolume): LabelVolume => {
  const labels = new Uint8Array(DIMS[0] * DIMS[1] * DIMS[2]);
  const off = [0, 1, 2].map((a) => Math.floor(((DIMS[a] as number) - (m.dims[a] as number)) / 2)) as Vec3;
  for (let k = 0; k < m.dims[2]; k++)
    for (let j = 0; j < m.dims[1]; j++)
      for (let i = 0; i < m.dims[0]; i++)
        labels[i + off[0] + DIMS[0] * (j + off[1] + DIMS[1] * (k + off[2]))] = m.labels[
          i + m.dims[0] * (j + m.dims[1] * k)
        ] as number;
  const origin = [0, 1, 2].map((a) => (m.origin[a] as number) - (off[a] as number) * (m.spacing[a] as number)) as Vec3;
  return { ...m, dims: DIMS, origin, labels };
};
for (const scale of [1.6, 1.3]) {
  const t = makeLumenTree({ seed: 5, branches: 3, spacing: 0.4, scale, maxLengthMm: 120, aortaRadiusMm: 15 });
  const mask = embed(t.mask);
  const aorta = t.aorta ? embed(t.aorta) : undefined;
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const out = await centerlinesFromMask(null, mask, { edt: edtCpu, aorta });
    runs.push(performance.now() - t0);
    if (r === 0) {
      console.log(`vessels: ${out.vessels.map((v) => `${v.name}(${v.points.length})`).join(' ')}`);
      console.log(
        `stats: ${JSON.stringify(Object.fromEntries(Object.entries(out.stats).map(([k, v]) => [k, Math.round(v)])))}`,
      );
    }
  }
  console.log(
    `scale ${scale} (aorta r ${t.aortaShape?.radius} mm), grid ${DIMS.join('×')} @ 0.4 mm; total ms per run: ${runs.map((x) => x.toFixed(0)).join(', ')}`,
  );
}

/**
 * The whole command as a user runs it: `perifat centerlines` in a fresh process on NIfTI files of a
 * 512×512×300 CCTA-sized case (CT with the lumen and aorta at contrast HU in fat, the coronary and
 * aorta masks), wall time including start-up, reading and writing.
 */
if (process.argv.includes('--cli')) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { execFileSync } = await import('node:child_process');
  const { writeNifti } = await import('../src/platform/node/write');
  const dir = mkdtempSync(join(tmpdir(), 'perifat-bench-centerlines-'));
  try {
    const t = makeLumenTree({ seed: 5, branches: 3, spacing: 0.4, scale: 1.6, maxLengthMm: 120, aortaRadiusMm: 15 });
    const mask = embed(t.mask);
    const aorta = t.aorta ? embed(t.aorta) : null;
    const hu = new Int16Array(mask.labels.length).fill(-100);
    for (let i = 0; i < hu.length; i++) if (mask.labels[i] || aorta?.labels[i]) hu[i] = 350;
    const { labels: _labels, ...grid } = mask;
    writeNifti({ ...grid, hu, kvp: 120, source: 'ct' }, join(dir, 'ct.nii.gz'));
    writeNifti(mask, join(dir, 'coronary.nii.gz'));
    if (aorta) writeNifti(aorta, join(dir, 'aorta.nii.gz'));
    const bin = join(import.meta.dirname, '..', 'bin', 'perifat.mjs');
    const args = ['centerlines', '--ct', join(dir, 'ct.nii.gz'), '--coronary-mask', join(dir, 'coronary.nii.gz')];
    if (aorta) args.push('--aorta', join(dir, 'aorta.nii.gz'));
    args.push('--out', join(dir, 'v.json'), '--backend', 'cpu', '--quiet');
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [bin, ...args], { stdio: 'inherit' });
      runs.push(performance.now() - t0);
    }
    console.log(
      `perifat centerlines (process, 512×512×300 NIfTI): ms per run ${runs.map((x) => x.toFixed(0)).join(', ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
