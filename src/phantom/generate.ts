/**
 * makePhantom: a synthetic cardiac CT with known anatomy (anatomy.ts), integer HU, a pericardium
 * mask, coronary centerlines and the truth report. Deterministic: same options, same voxels.
 */
import { IDENTITY3, orthonormalityError, voxelToWorld, type Mat3, type Vec3 } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';
import {
  BODY,
  FAT_LAW,
  HU,
  LUNG_X,
  PARACARDIAL_FAT_HU,
  PLAQUE,
  REFERENCE_FOV_MM,
  RHO,
  SEMI_AXES,
  vesselRho,
} from './anatomy';
import { CenterlineIndex, makeNearestOut } from './nearest';
import { Rng } from './rng';
import { DEFAULT_FAT_WINDOW, DEFAULT_KVP_FACTORS } from './rules';
import type { Report } from '../measure/report-types';
import { computeTruth } from './truth';
import { TISSUE, type Phantom, type PhantomOptions, type PhantomParams } from './types';
import { buildTree } from './tree';
import { buildVessels } from './vessels';
import { paintSinuses } from './sinuses';

export const DEFAULT_DIMS: Vec3 = [192, 192, 128];
export const DEFAULT_SPACING: Vec3 = [0.4, 0.4, 0.6];

export function makePhantom(opts: PhantomOptions = {}): Phantom {
  const dims = opts.dims ?? DEFAULT_DIMS;
  const spacing = opts.spacing ?? DEFAULT_SPACING;
  const direction = opts.direction ?? IDENTITY3;
  if (!dims.every((n) => Number.isInteger(n) && n > 0)) throw new RangeError(`dims must be positive integers: ${dims}`);
  if (!spacing.every((s) => s > 0)) throw new RangeError(`spacing must be positive: ${spacing}`);
  if (orthonormalityError(direction) > 1e-6) throw new RangeError('direction must be orthonormal');
  const half: Vec3 = [(dims[0] - 1) / 2, (dims[1] - 1) / 2, (dims[2] - 1) / 2];
  const origin = opts.origin ?? centredOrigin(direction, spacing, half);
  const geometry = { dims, spacing, origin, direction };
  const centre = voxelToWorld(geometry, half);
  const kvp = opts.kvp ?? 120;
  // Unknown kVp: fat left at its 120-kVp HU (the truth then reports raw values only).
  const f = DEFAULT_KVP_FACTORS[kvp] ?? 1;
  const scale =
    opts.scale ?? Math.min(dims[0] * spacing[0], dims[1] * spacing[1], dims[2] * spacing[2]) / REFERENCE_FOV_MM;
  const name = opts.name ?? 'phantom';
  for (const [v, a] of Object.entries(opts.fatAmplitude ?? {})) {
    if (!(Number.isFinite(a) && Math.abs(a) <= 200))
      throw new RangeError(`fatAmplitude.${v} must be a number in [-200, 200]: ${a}`);
  }
  const diagMm = Math.hypot(...dims.map((n, a) => (n - 1) * (spacing[a] as number)));
  const vessels = opts.tree
    ? buildTree({
        centre,
        scale,
        branchesFrom: opts.tree.branchesFrom ?? 'ostium',
        branches: opts.tree.branches ?? 2,
        seed: opts.seed ?? 1,
        source: `${name}:vessels`,
      })
    : buildVessels({
        centre,
        scale,
        shortLcx: opts.shortLcx ?? false,
        // From a point inside the volume, a straight run longer than its diagonal must leave it.
        rcaExtensionMm: opts.rcaLeavesVolume ? diagMm + 10 : null,
        source: `${name}:vessels`,
      });
  const params: PhantomParams = {
    dims,
    spacing,
    origin,
    direction,
    kvp,
    kvpFactor: f,
    scale,
    centre,
    semiAxes: [SEMI_AXES[0] * scale, SEMI_AXES[1] * scale, SEMI_AXES[2] * scale],
    noiseSd: opts.noiseSd ?? 0,
    seed: opts.seed ?? 1,
    calcium: opts.calcium ?? false,
    fatLaw: { ...FAT_LAW, amplitude: { ...FAT_LAW.amplitude, ...opts.fatAmplitude } },
    plaqueMm: opts.calcium ? [PLAQUE.startMm, PLAQUE.endMm] : null,
  };

  const { hu, tissue, sac } = paint(params, vessels.vessels, vessels.lesions);
  const aorta = opts.aorticSinuses ? paintSinuses(geometry, vessels.vessels, hu, tissue) : null;
  // A loop (not Uint8Array.from with a map, which goes through a plain array too long at 512×512×600).
  const lumen = new Uint8Array(tissue.length);
  for (let n = 0; n < tissue.length; n++) if (tissue[n] === TISSUE.lumen) lumen[n] = 1;
  if (params.noiseSd > 0) addNoise(hu, params.noiseSd, params.seed);

  const ct: CtVolume & { hu: Int16Array } = {
    ...geometry,
    hu,
    kvp,
    source: name,
    meta: { Modality: 'CT', Manufacturer: 'perifat phantom' },
  };
  const pericardium: LabelVolume = { ...geometry, labels: sac, source: `${name}:pericardium` };
  const tissueVol: LabelVolume = { ...geometry, labels: tissue, source: `${name}:tissue` };
  let truth: Report | null = null;
  return {
    ct,
    pericardium,
    vessels,
    tissue: tissueVol,
    coronaryMask: { ...geometry, labels: lumen, source: `${name}:coronary` },
    aorta: aorta ? { ...geometry, labels: aorta, source: `${name}:aorta` } : null,
    params,
    // The truth costs as much as the phantom itself: computed only when asked for.
    get truth(): Report {
      truth ??= computeTruth(ct, pericardium, vessels);
      return truth;
    },
  };
}

function centredOrigin(d: Mat3, s: Vec3, half: Vec3): Vec3 {
  const a = half[0] * s[0];
  const b = half[1] * s[1];
  const c = half[2] * s[2];
  return [-(d[0] * a + d[1] * b + d[2] * c), -(d[3] * a + d[4] * b + d[5] * c), -(d[6] * a + d[7] * b + d[8] * c)];
}

/** Fat HU at 120 kVp → HU at the phantom's kVp: scale, round (half up), clamp to the fat window. */
export function fatHu(hu120: number, f: number): number {
  const v = Math.round(f * hu120);
  return Math.min(DEFAULT_FAT_WINDOW[1], Math.max(DEFAULT_FAT_WINDOW[0], v));
}

/** The epicardial fat law at 120 kVp (before scaling and rounding), for a voxel whose owner is at w. */
export function fatLaw120(w: number, amplitude: number): number {
  return w <= FAT_LAW.cutoffMm ? FAT_LAW.baseHu + amplitude * Math.exp(-w / FAT_LAW.lambdaMm) : FAT_LAW.baseHu;
}

function paint(
  p: PhantomParams,
  vs: Phantom['vessels']['vessels'],
  lesions: Phantom['vessels']['lesions'],
): { hu: Int16Array; tissue: Uint8Array; sac: Uint8Array } {
  const [nx, ny, nz] = p.dims;
  const n = nx * ny * nz;
  const hu = new Int16Array(n);
  const tissue = new Uint8Array(n);
  const sac = new Uint8Array(n);
  const nv = vs.length;
  const rmax = vs.map((v) => Math.max(...v.radii));
  // Beyond w = cutoff the law is flat, and lumen/plaque need w ≤ 0.8: the index need answer no farther.
  const index = new CenterlineIndex(
    vs,
    rmax.map((r) => FAT_LAW.cutoffMm + r),
  );
  const out = makeNearestOut(nv);
  const amp = vs.map((v) => p.fatLaw.amplitude[v.name] ?? 0);
  const plaqueVessel = p.calcium ? vs.findIndex((v) => v.name === PLAQUE.vessel) : -1;
  const plaqueRho = vesselRho(p.scale);
  const [ax, ay, az] = p.semiAxes;
  const bx = BODY[0] * p.scale;
  const by = BODY[1] * p.scale;
  const lungX = LUNG_X * p.scale;
  const [cx, cy, cz] = p.centre;
  const { origin: o, direction: d, spacing: sp } = p;
  const paraHu = fatHu(PARACARDIAL_FAT_HU, p.kvpFactor);
  // x(i) = o + d·(i·sx) is summed in voxelToWorld's order; precompute the i terms.
  const xi = [new Float64Array(nx), new Float64Array(nx), new Float64Array(nx)];
  for (let i = 0; i < nx; i++) {
    const a = i * sp[0];
    (xi[0] as Float64Array)[i] = o[0] + d[0] * a;
    (xi[1] as Float64Array)[i] = o[1] + d[3] * a;
    (xi[2] as Float64Array)[i] = o[2] + d[6] * a;
  }
  const [x0, x1, x2] = xi as [Float64Array, Float64Array, Float64Array];
  let m = 0;
  for (let k = 0; k < nz; k++) {
    const c = k * sp[2];
    for (let j = 0; j < ny; j++) {
      const b = j * sp[1];
      for (let i = 0; i < nx; i++, m++) {
        const x = (x0[i] as number) + d[1] * b + d[2] * c;
        const y = (x1[i] as number) + d[4] * b + d[5] * c;
        const z = (x2[i] as number) + d[7] * b + d[8] * c;
        const qx = x - cx;
        const qy = y - cy;
        const qz = z - cz;
        const rho = Math.sqrt((qx / ax) ** 2 + (qy / ay) ** 2 + (qz / az) ** 2);
        let t: number = TISSUE.air;
        let v: number = HU.air;
        if (rho <= RHO.blood) {
          t = TISSUE.blood;
          v = HU.blood;
        } else if (rho <= RHO.myocardium) {
          t = TISSUE.myocardium;
          v = HU.myocardium;
        } else if (rho <= RHO.fat) {
          t = TISSUE.epicardialFat; // HU from the fat law below
        } else if (rho <= RHO.sac) {
          t = TISSUE.pericardium;
          v = HU.pericardium;
        } else if (rho <= RHO.paracardial && qy < 0) {
          t = TISSUE.paracardialFat;
          v = paraHu;
        } else if ((qx / bx) ** 2 + (qy / by) ** 2 <= 1) {
          const lung = Math.abs(qx) > lungX;
          t = lung ? TISSUE.lung : TISSUE.body;
          v = lung ? HU.lung : HU.body;
        }
        if (rho <= RHO.fat) sac[m] = 1;

        index.query(x, y, z, out);
        let owner = -1;
        let best = Infinity;
        for (let q = 0; q < nv; q++) {
          const w = out.w[q] as number;
          if (w < best) {
            best = w;
            owner = q;
          }
        }
        if (best <= 0) {
          t = TISSUE.lumen;
          v = HU.lumen;
        } else if (
          owner === plaqueVessel &&
          best <= PLAQUE.thicknessMm &&
          (out.s[owner] as number) >= PLAQUE.startMm &&
          (out.s[owner] as number) <= PLAQUE.endMm &&
          rho >= plaqueRho
        ) {
          // Eccentric plaque on the epicardial side of the lumen, brightest at the wall.
          t = TISSUE.plaque;
          v = Math.round(PLAQUE.huOuter + (PLAQUE.huWall - PLAQUE.huOuter) * (1 - best / PLAQUE.thicknessMm));
        } else if (t === TISSUE.epicardialFat) {
          let a = 0;
          if (owner >= 0) {
            const s = out.s[owner] as number;
            const name = (vs[owner] as (typeof vs)[number]).name;
            const boosted = lesions.some((l) => l.vessel === name && s >= l.startMm && s <= l.endMm);
            a = (amp[owner] as number) + (boosted ? FAT_LAW.lesionBoost : 0);
          }
          v = fatHu(fatLaw120(best, a), p.kvpFactor);
        }
        tissue[m] = t;
        hu[m] = v;
      }
    }
  }
  return { hu, tissue, sac };
}

function addNoise(hu: Int16Array, sd: number, seed: number): void {
  const rng = new Rng(seed);
  for (let m = 0; m < hu.length; m++) {
    const v = (hu[m] as number) + Math.round(sd * rng.gauss());
    hu[m] = Math.max(-32768, Math.min(32767, v));
  }
}
