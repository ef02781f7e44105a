/**
 * What "lumen" means near each clicked point, learnt from the CT there rather than fixed: contrast
 * HU differ by scanner, kVp, timing and along the vessel. Around a click, Otsu's split of the HU
 * (air/lung and calcium left out) gives a bright class (contrast lumen) and a dark one (fat, wall,
 * myocardium); the lumen boundary is half-way between their medians (the half-maximum rule).
 * A click off the lumen is moved to the nearest lumen voxel within 2 mm, or refused.
 */
import { PerifatError } from '../errors';
import { voxelToWorld, worldToVoxel, type Vec3 } from '../volume/geometry';
import type { CtVolume } from '../volume/volume';
import type { CenterlineWarning } from './types';
import { calciumLevel, huSampler } from './trace-sample';

/** At and above: calcified plaque (or metal), never lumen. */
export const CALCIUM_HU = 800;
/** Contrast lumen in a CCTA is brighter than this; a bright class below it is no lumen. */
export const MIN_LUMEN_HU = 150;
/** The bright class must stand this far above the dark one. */
export const MIN_CONTRAST_HU = 150;
/** Radius (mm) of the neighbourhood that the two classes are learnt from. */
const LEARN_MM = 4;
/** Farthest (mm) a click is moved to reach the lumen. */
export const MOVE_MM = 2;
/** Below: air or lung, not the tissue around a coronary. */
const AIR_HU = -500;

export interface ClickLumen {
  /** The point, moved into the lumen when it was not (LPS mm). */
  readonly point: Vec3;
  /** Median HU of the bright (lumen) and dark (surroundings) classes. */
  readonly lumenHu: number;
  readonly backgroundHu: number;
  /** Half-way between them: the lumen boundary. */
  readonly level: number;
  /** How far (mm) the point was moved; 0 when it was in the lumen. */
  readonly movedMm: number;
}

function fmt(p: Vec3): string {
  return `(${p.map((x) => x.toFixed(1)).join(', ')})`;
}

function refuse(ct: CtVolume, vessel: string, n: number, p: Vec3, why: string): PerifatError {
  return new PerifatError('E_CENTERLINE', `trace ${vessel}: point ${n} ${fmt(p)} ${why}`, { file: ct.source });
}

/** Voxel indices (linear) within `mm` of p, with their squared distance in mm². */
function neighbourhood(ct: CtVolume, p: Vec3, mm: number): { index: number[]; d2: number[] } {
  const v = worldToVoxel(ct, p);
  const lo: number[] = [];
  const hi: number[] = [];
  for (let a = 0; a < 3; a++) {
    const r = mm / (ct.spacing[a] as number);
    lo.push(Math.max(0, Math.ceil((v[a] as number) - r)));
    hi.push(Math.min((ct.dims[a] as number) - 1, Math.floor((v[a] as number) + r)));
  }
  const [nx, ny] = ct.dims;
  const [sx, sy, sz] = ct.spacing;
  const index: number[] = [];
  const d2: number[] = [];
  const mm2 = mm * mm;
  for (let k = lo[2] as number; k <= (hi[2] as number); k++) {
    const dz = (k - v[2]) * sz;
    for (let j = lo[1] as number; j <= (hi[1] as number); j++) {
      const dy = (j - v[1]) * sy;
      for (let i = lo[0] as number; i <= (hi[0] as number); i++) {
        const dx = (i - v[0]) * sx;
        const e = dx * dx + dy * dy + dz * dz;
        if (e <= mm2) {
          index.push(i + nx * (j + ny * k));
          d2.push(e);
        }
      }
    }
  }
  return { index, d2 };
}

function median(sorted: Float64Array, from: number, to: number): number {
  const n = to - from;
  const m = from + (n >> 1);
  return n % 2 === 1 ? (sorted[m] as number) : ((sorted[m - 1] as number) + (sorted[m] as number)) / 2;
}

/** Otsu's two classes of a set of HU: the medians of the dark and bright class. */
export function twoClasses(values: readonly number[]): { dark: number; bright: number } | null {
  const v = Float64Array.from(values).sort();
  const n = v.length;
  if (n < 8) return null;
  let total = 0;
  for (let i = 0; i < n; i++) total += v[i] as number;
  let best = -1;
  let split = 0;
  let below = 0;
  for (let i = 1; i < n; i++) {
    below += v[i - 1] as number;
    if (v[i] === v[i - 1]) continue;
    const m0 = below / i;
    const m1 = (total - below) / (n - i);
    const between = i * (n - i) * (m1 - m0) ** 2;
    if (between > best) {
      best = between;
      split = i;
    }
  }
  if (split === 0) return null;
  return { dark: median(v, 0, split), bright: median(v, split, n) };
}

/**
 * The lumen at one click: its classes, and the click itself, moved into the lumen when needed.
 * E_CENTERLINE when the point is off the volume, no contrast lumen is near, or none within 2 mm.
 */
export function clickLumen(
  ct: CtVolume,
  vessel: string,
  n: number,
  p: Vec3,
  warnings: CenterlineWarning[],
): ClickLumen {
  const v = worldToVoxel(ct, p);
  for (let a = 0; a < 3; a++) {
    const x = v[a] as number;
    if (!(x >= -0.5 && x <= (ct.dims[a] as number) - 0.5))
      throw refuse(ct, vessel, n, p, `is outside the volume (voxel ${fmt(v)}, dims ${ct.dims.join('×')})`);
  }
  const hood = neighbourhood(ct, p, LEARN_MM);
  const values: number[] = [];
  for (const m of hood.index) {
    const h = ct.hu[m] as number;
    if (h > AIR_HU && h < CALCIUM_HU) values.push(h);
  }
  const cls = twoClasses(values);
  if (!cls || cls.bright < MIN_LUMEN_HU || cls.bright - cls.dark < MIN_CONTRAST_HU) {
    const why = cls ? `brightest class ${Math.round(cls.bright)} HU over ${Math.round(cls.dark)} HU` : 'too few voxels';
    throw refuse(ct, vessel, n, p, `has no contrast-filled lumen within ${LEARN_MM} mm (${why})`);
  }
  const level = (cls.bright + cls.dark) / 2;
  const upper = calciumLevel(level, cls.bright - cls.dark, CALCIUM_HU);
  const base = { lumenHu: cls.bright, backgroundHu: cls.dark, level };
  const here = huSampler(ct)(p);
  if (here >= level && here < upper) return { ...base, point: p, movedMm: 0 };
  // Nearest lumen voxel within MOVE_MM.
  let best = -1;
  let bestD2 = Infinity;
  hood.index.forEach((m, q) => {
    const h = ct.hu[m] as number;
    const e = hood.d2[q] as number;
    if (h >= level && h < upper && e <= MOVE_MM * MOVE_MM && e < bestD2) {
      best = m;
      bestD2 = e;
    }
  });
  if (best < 0)
    throw refuse(
      ct,
      vessel,
      n,
      p,
      `is not in the lumen (${Math.round(here)} HU, lumen boundary ${Math.round(level)} HU) and no lumen is within ${MOVE_MM} mm`,
    );
  const [nx, ny] = ct.dims;
  const ijk: Vec3 = [best % nx, Math.floor(best / nx) % ny, Math.floor(best / (nx * ny))];
  const moved = voxelToWorld(ct, ijk);
  const movedMm = Math.sqrt(bestD2);
  warnings.push({
    code: 'click-moved',
    vessel,
    message: `point ${n} ${fmt(p)} was not in the lumen (${Math.round(here)} HU); moved ${movedMm.toFixed(1)} mm to ${fmt(moved)}`,
  });
  return { ...base, point: moved, movedMm };
}
