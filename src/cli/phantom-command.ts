/**
 * `perifat phantom`: writes a synthetic cardiac CT with its ground truth.
 *   --out DIR  --dims 192x192x128  --spacing 0.4x0.4x0.6  --noise 10  --seed 1  --kvp 100
 *   --calcium  --dicom  --short-lcx  --rca-exits  --tree ostium|bifurcation[3] (tortuous traced-like tree)
 *   --aorta (aortic sinuses at the ostia and aorta.nii.gz, for centerlines from coronary.nii.gz)
 */
import { parseArgs } from 'node:util';
import { PerifatError } from '../errors';
import { EXIT, exitCodeFor } from './exit-codes';
import type { Vec3 } from '../volume/geometry';
import { makePhantom } from '../phantom/generate';
import { writePhantom } from '../platform/node/phantom-files';

const USAGE =
  'usage: perifat phantom --out DIR [--dims 192x192x128] [--spacing 0.4x0.4x0.6] [--noise HU] [--seed N] ' +
  '[--kvp 120] [--calcium] [--dicom] [--short-lcx] [--rca-exits] [--tree ostium|bifurcation|ostium3|bifurcation3] [--aorta]';

export async function phantomCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        dims: { type: 'string' },
        spacing: { type: 'string' },
        noise: { type: 'string' },
        seed: { type: 'string' },
        kvp: { type: 'string' },
        calcium: { type: 'boolean' },
        dicom: { type: 'boolean' },
        'short-lcx': { type: 'boolean' },
        'rca-exits': { type: 'boolean' },
        tree: { type: 'string' },
        aorta: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    console.error(`perifat: E_USAGE: phantom: ${(e as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (!values.out) throw new PerifatError('E_USAGE', '--out DIR is required');
    const dims = values.dims !== undefined ? triple(values.dims, '--dims', true) : undefined;
    const spacing = values.spacing !== undefined ? triple(values.spacing, '--spacing', false) : undefined;
    const noiseSd = values.noise !== undefined ? number(values.noise, '--noise', 0) : undefined;
    const seed = values.seed !== undefined ? number(values.seed, '--seed', 0, true) : undefined;
    const kvp = values.kvp !== undefined ? number(values.kvp, '--kvp', 1) : undefined;
    const voxels = (dims ?? [192, 192, 128]).reduce((a, b) => a * b, 1);
    if (voxels > MAX_PHANTOM_VOXELS)
      throw new PerifatError(
        'E_TOO_LARGE',
        `--dims ${dims?.join('x')} is ${voxels.toExponential(2)} voxels, over the ${MAX_PHANTOM_VOXELS} a phantom may have`,
      );
    const t0 = performance.now();
    const ph = makePhantom({
      dims,
      spacing,
      noiseSd,
      seed,
      kvp,
      calcium: values.calcium ?? false,
      shortLcx: values['short-lcx'] ?? false,
      rcaLeavesVolume: values['rca-exits'] ?? false,
      aorticSinuses: values.aorta ?? false,
      ...(values.tree !== undefined ? { tree: treeOption(values.tree) } : {}),
    });
    await writePhantom(ph, values.out, { dicom: values.dicom ?? false });
    const t = ph.truth;
    const fai = t.vessels.map((v) => `${v.name} ${v.faiHu === null ? '–' : v.faiHu.toFixed(1)}`).join(', ');
    const eat = t.eat ? `EAT ${t.eat.volumeMl.toFixed(1)} mL` : '';
    console.log(
      `phantom ${ph.ct.dims.join('x')} @ ${ph.ct.spacing.join('x')} mm, ${ph.params.kvp} kVp, noise ${ph.params.noiseSd} HU` +
        ` → ${values.out}${values.dicom ? ' (+dicom/)' : ''}: ${eat}; FAI ${fai} HU` +
        ` (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof PerifatError)) throw e;
    console.error(`perifat: ${e.code}: phantom: ${e.message}${e.code === 'E_USAGE' ? `\n${USAGE}` : ''}`);
    return exitCodeFor(e.code);
  }
}

/** Most voxels a phantom may have: its CT, tissue and masks are held in memory at once (~6 B/voxel). */
export const MAX_PHANTOM_VOXELS = 256 * 1024 * 1024;

/** --tree ostium|bifurcation, with a trailing 3 for a third branch (RI). */
function treeOption(s: string): { branchesFrom: 'ostium' | 'bifurcation'; branches: 2 | 3 } {
  const m = /^(ostium|bifurcation)(3)?$/.exec(s);
  if (!m) throw new PerifatError('E_USAGE', `--tree wants ostium, bifurcation, ostium3 or bifurcation3, got ${s}`);
  return { branchesFrom: m[1] as 'ostium' | 'bifurcation', branches: m[2] ? 3 : 2 };
}

function triple(s: string, flag: string, integer: boolean): Vec3 {
  const parts = s.split(/[x×,]/).map(Number);
  if (parts.length !== 3 || !parts.every((x) => Number.isFinite(x) && x > 0 && (!integer || Number.isInteger(x))))
    throw new PerifatError(
      'E_USAGE',
      `${flag} wants three positive ${integer ? 'integers' : 'numbers'} like ${integer ? '192x192x128' : '0.4x0.4x0.6'}, got ${s}`,
    );
  return parts as Vec3;
}

function number(s: string, flag: string, min: number, integer = false): number {
  const x = Number(s);
  if (s.trim() === '' || !Number.isFinite(x) || x < min || (integer && !Number.isInteger(x)))
    throw new PerifatError('E_USAGE', `${flag} wants a ${integer ? 'whole ' : ''}number ≥ ${min}, got ${s}`);
  return x;
}
