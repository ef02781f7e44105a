/**
 * AssemblyScript source of the CPU backend's float64 classification of a share of the crop
 * (compiled to WebAssembly by scripts/build-wasm.mjs; the bytes live in cells.wasm.ts):
 * - buildRow(): buildCandidateSteps (src/shells/candidates.ts, liveOnly) for one row of blocks;
 * - classifyCell(): BoundedShells.locate() and the label rule of ExactShells.label()
 *   (src/shells/bounded.ts, exact.ts) over every voxel of one cell.
 * Operation for operation: the same float64 arithmetic in the same order (WebAssembly has IEEE-754
 * f64 with no fused or reassociated operations, f64.sqrt is correctly rounded, f32 words promote to
 * f64 exactly and f64 → f32 rounds to nearest as a Float32Array store does), so the lists and every
 * label equal the JS twins' bit for bit (only the pruning bounds differ, see below). Only the calcium guard, the layers and the histograms stay
 * in JS: it reads the records classifyCell writes.
 *
 * Memory is the host's (imported): the host lays out the plan and the scratch arrays and hands
 * their byte offsets over in a header of i32 words (see cells.ts); the candidates go last, in
 * groups of GROUP_BYTES, and buildRow grows the memory when they need more. The plane bounds that
 * prune segments before their float64 evaluation are taken four at a time in f32 with a margin:
 * a few more segments are evaluated than in the JS twin, never fewer of those that matter.
 */

// Byte offsets of the arrays (set by init()).
let WORLD: usize = 0; // f64 × 11 per segment
let CAND: usize = 0; // the candidates, in groups of four (GROUP_BYTES)
let LISTS: usize = 0; // u32 × 2 per (cell, part): its first group, its candidates
let PATH_START: usize = 0; // i32 × (V + 1)
let PATH_PARTS: usize = 0; // i32 per path entry
let VS0: usize = 0; // f64 per vessel
let VS1: usize = 0;
let LVESSEL: usize = 0; // i32 per lesion
let LSTART: usize = 0; // f64 per lesion
let LEND: usize = 0;
let K: usize = 0; // f64 × 24: origin, direction, spacing, crop lo, plan spacing, cell half sizes
let CD: usize = 0; // i32 × 6: cell size, cell counts
// Scratch.
let PART_D2: usize = 0; // f64 per part
let PART_G: usize = 0; // i32
let PART_T: usize = 0; // f64
let PART_FIRST: usize = 0; // f64
let PART_RMAX: usize = 0; // f64
let SCANNED: usize = 0; // i32
let V_FIRST: usize = 0; // f64 per vessel
let V_RMAX: usize = 0; // f64
let ORDER: usize = 0; // i32
let PORDER: usize = 0; // i32 per path entry
let PPOS: usize = 0; // i32 per path entry
let W: usize = 0; // f64 per vessel
let S: usize = 0;
let R: usize = 0;
let TIED: usize = 0; // i32 per vessel

let P: i32 = 0;
let V: i32 = 0;
let L: i32 = 0;
let wMax: f64 = 0;
let wallGap: f64 = 0;
let ringWidth: f64 = 0;
let ringCount: i32 = 0;
let slack: f64 = 0; // BOUND_SLACK_MM
let roundMm: f64 = 0; // ROUND_MM of bounded.ts

/**
 * The candidates of a (cell, part) list in groups of four, structure of arrays: n (f32 × 4 for
 * each of x, y, z), dc (f32 × 4), segment (u32 × 4); a list's last group padded with dc = +∞.
 * A group's four plane bounds are one SIMD expression.
 */
const GROUP_BYTES: usize = 80;
/**
 * Margin (mm) of the f32 plane bound: its rounding (of dc ≤ ~50 mm, |q| ≤ ~3 mm) is under 1e-5 mm,
 * so a candidate pruned by it is one the float64 bound prunes too.
 */
const LB_MARGIN: f64 = 1e-4;

// The index builder's arrays (per part p: `longest` entries from p·longest) and numbers.
let LOCAL: usize = 0; // f64 × 6 per segment: crop-local endpoints
let PART_BASE: usize = 0; // i32 per part: first segment
let PART_SEGS: usize = 0; // i32 per part: segment count
let CUTOFF: usize = 0; // f64 per part
let LIVE: usize = 0; // u8 per (vessel, segment): its arc meets one of the vessel's label intervals
let BLK_IDX: usize = 0; // i32
let BLK_DIST: usize = 0; // f64
let BLK_COUNT: usize = 0; // i32 per part
let BLK_MIN: usize = 0; // f64 per part
let CELL_DIST: usize = 0; // f64
let CELL_NORMAL: usize = 0; // f64 × 3
let KEPT: usize = 0; // i32
let KEPT_COUNT: usize = 0; // i32 per part
let MAY: usize = 0; // u8 per cell: mayLabel
let NEAR: usize = 0; // f64 × 3
let LB4: usize = 0; // f32 × 4: a group's plane bounds
let longest: i32 = 0;
let segCount: i32 = 0;
let zCell0: i32 = 0;
let zCell1: i32 = 0;
let halfDiag: f64 = 0;
let delta: f64 = 0;
let candCount: u32 = 0;
let groupCount: u32 = 0;

let boundCell: i32 = -1;
let stamp: i32 = 0;
let evaluations: f64 = 0;

// The placed voxel.
let vx: f64 = 0;
let vy: f64 = 0;
let vz: f64 = 0;
let qx: f64 = 0;
let qy: f64 = 0;
let qz: f64 = 0;
let qn: f64 = 0;

function h(hdr: usize, n: i32): usize {
  return <usize>load<i32>(hdr + ((<usize>n) << 2));
}

/** Reads the header (i32 byte offsets and counts, then f64 constants at hdr + 256). */
export function init(hdr: usize): void {
  WORLD = h(hdr, 0);
  CAND = h(hdr, 1);
  LISTS = h(hdr, 3);
  PATH_START = h(hdr, 4);
  PATH_PARTS = h(hdr, 5);
  VS0 = h(hdr, 6);
  VS1 = h(hdr, 7);
  LVESSEL = h(hdr, 8);
  LSTART = h(hdr, 9);
  LEND = h(hdr, 10);
  K = h(hdr, 11);
  CD = h(hdr, 12);
  PART_D2 = h(hdr, 13);
  PART_G = h(hdr, 14);
  PART_T = h(hdr, 15);
  PART_FIRST = h(hdr, 16);
  PART_RMAX = h(hdr, 17);
  SCANNED = h(hdr, 18);
  V_FIRST = h(hdr, 19);
  V_RMAX = h(hdr, 20);
  ORDER = h(hdr, 21);
  PORDER = h(hdr, 22);
  PPOS = h(hdr, 23);
  W = h(hdr, 24);
  S = h(hdr, 25);
  R = h(hdr, 26);
  TIED = h(hdr, 27);
  P = load<i32>(hdr + 28 * 4);
  V = load<i32>(hdr + 29 * 4);
  L = load<i32>(hdr + 30 * 4);
  ringCount = load<i32>(hdr + 31 * 4);
  LOCAL = h(hdr, 33);
  PART_BASE = h(hdr, 34);
  PART_SEGS = h(hdr, 35);
  CUTOFF = h(hdr, 36);
  LIVE = h(hdr, 37);
  BLK_IDX = h(hdr, 38);
  BLK_DIST = h(hdr, 39);
  BLK_COUNT = h(hdr, 40);
  BLK_MIN = h(hdr, 41);
  CELL_DIST = h(hdr, 42);
  CELL_NORMAL = h(hdr, 43);
  KEPT = h(hdr, 44);
  KEPT_COUNT = h(hdr, 45);
  MAY = h(hdr, 46);
  NEAR = h(hdr, 47);
  LB4 = h(hdr, 50);
  longest = load<i32>(hdr + 48 * 4);
  segCount = load<i32>(hdr + 49 * 4);
  halfDiag = load<f64>(hdr + 296);
  delta = load<f64>(hdr + 304);
  wMax = load<f64>(hdr + 256);
  wallGap = load<f64>(hdr + 264);
  ringWidth = load<f64>(hdr + 272);
  slack = load<f64>(hdr + 280);
  roundMm = load<f64>(hdr + 288);
  stamp = 0;
  for (let p: i32 = 0; p < P; p++) store<i32>(SCANNED + ((<usize>p) << 2), -1);
}

/**
 * A share of the plan init() laid out: cell slices [z0, z1). Its candidates overwrite the last
 * share's (whose cells are never visited again: each cell belongs to one share), so a thread reuses
 * the same, already touched, memory share after share.
 */
export function beginShare(z0: i32, z1: i32): void {
  zCell0 = z0;
  zCell1 = z1;
  candCount = 0;
  groupCount = 0;
  boundCell = -1;
  evaluations = 0;
}

/** Segment projections evaluated since beginShare(). */
export function evaluated(): f64 {
  return evaluations;
}

function kf(n: i32): f64 {
  return load<f64>(K + ((<usize>n) << 3));
}

/** ExactShells.place() for crop voxel (i, j, k) of cell `cell` (ci, cj, ck). */
function place(i: i32, j: i32, k: i32, ci: i32, cj: i32, ck: i32): void {
  const a = (kf(15) + <f64>i) * kf(12);
  const b = (kf(16) + <f64>j) * kf(13);
  const c = (kf(17) + <f64>k) * kf(14);
  vx = kf(0) + kf(3) * a + kf(4) * b + kf(5) * c;
  vy = kf(1) + kf(6) * a + kf(7) * b + kf(8) * c;
  vz = kf(2) + kf(9) * a + kf(10) * b + kf(11) * c;
  const nx = load<i32>(CD);
  const ny = load<i32>(CD + 4);
  const nz = load<i32>(CD + 8);
  const x = (<f64>(i - ci * nx) - kf(21)) * kf(18);
  const y = (<f64>(j - cj * ny) - kf(22)) * kf(19);
  const z = (<f64>(k - ck * nz) - kf(23)) * kf(20);
  qx = x;
  qy = y;
  qz = z;
  qn = Math.sqrt(x * x + y * y + z * z) + slack;
}

/** ExactShells.scanPart(): the nearest segment of part p over cell `cell`'s list. */
function scanPart(cell: i32, p: i32): void {
  const slot = LISTS + ((<usize>(cell * P + p)) << 3);
  const off = load<u32>(slot);
  const end = off + load<u32>(slot + 4);
  let best: f64 = Infinity;
  let bestD: f64 = Infinity;
  let bestG: i32 = -1;
  let bestT: f64 = 0;
  let n: i32 = 0;
  const groups = (end - off + 3) >> 2;
  const qx4 = f32x4.splat(<f32>qx);
  const qy4 = f32x4.splat(<f32>qy);
  const qz4 = f32x4.splat(<f32>qz);
  for (let g: u32 = 0; g < groups; g++) {
    const o4 = CAND + <usize>(off + g) * GROUP_BYTES;
    // Lists are sorted by dc: once a group's first dc is beyond reach, so is the rest.
    if (<f64>load<f32>(o4 + 48) - qn > bestD) break;
    let lb = f32x4.add(v128.load(o4 + 48), f32x4.mul(qx4, v128.load(o4)));
    lb = f32x4.add(lb, f32x4.mul(qy4, v128.load(o4 + 16)));
    lb = f32x4.add(lb, f32x4.mul(qz4, v128.load(o4 + 32)));
    let bits = i32x4.bitmask(f32x4.le(lb, f32x4.splat(<f32>(bestD + slack + LB_MARGIN))));
    if (bits == 0) continue;
    // The group's bounds, for the lanes after the first: bestD may have shrunk meanwhile.
    v128.store(LB4, lb);
    let beyond = false;
    while (bits != 0) {
      const lane = <usize>ctz(bits);
      bits &= bits - 1;
      if (<f64>load<f32>(o4 + 48 + (lane << 2)) - qn > bestD) {
        beyond = true;
        break;
      }
      if (load<f32>(LB4 + (lane << 2)) > <f32>(bestD + slack + LB_MARGIN)) continue;
      const G = load<i32>(o4 + 64 + (lane << 2));
      const o = WORLD + <usize>G * 88;
      const wx = vx - load<f64>(o);
      const wy = vy - load<f64>(o + 8);
      const wz = vz - load<f64>(o + 16);
      const ex = load<f64>(o + 24);
      const ey = load<f64>(o + 32);
      const ez = load<f64>(o + 40);
      const len2 = load<f64>(o + 48);
      let t: f64 = 0;
      if (len2 > 0) {
        t = (wx * ex + wy * ey + wz * ez) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
      }
      const dx = wx - t * ex;
      const dy = wy - t * ey;
      const dz = wz - t * ez;
      const d2 = dx * dx + dy * dy + dz * dz;
      n++;
      if (d2 < best || (d2 == best && G < bestG)) {
        best = d2;
        bestD = Math.sqrt(d2);
        bestG = G;
        bestT = t;
      }
    }
    if (beyond) break;
  }
  evaluations += <f64>n;
  store<f64>(PART_D2 + ((<usize>p) << 3), best);
  store<i32>(PART_G + ((<usize>p) << 2), bestG);
  store<f64>(PART_T + ((<usize>p) << 3), bestT);
}

/** ExactShells.setVessel(). */
function setVessel(v: i32, d2: f64, G: i32, t: f64): void {
  const vo = (<usize>v) << 3;
  if (G < 0) {
    store<f64>(W + vo, Infinity);
    return;
  }
  const o = WORLD + <usize>G * 88;
  const r = load<f64>(o + 72) + t * load<f64>(o + 80);
  store<f64>(S + vo, load<f64>(o + 56) + t * load<f64>(o + 64));
  store<f64>(R + vo, r);
  store<f64>(W + vo, Math.sqrt(d2) - r);
}

/** BoundedShells.evaluateVessel(). */
function evaluateVessel(cell: i32, v: i32): void {
  const q0 = load<i32>(PATH_START + ((<usize>v) << 2));
  const q1 = load<i32>(PATH_START + ((<usize>(v + 1)) << 2));
  let best: f64 = Infinity;
  let bestD: f64 = Infinity;
  let bestPos: i32 = 0;
  let G: i32 = -1;
  let t: f64 = 0;
  for (let q = q0; q < q1; q++) {
    const p = load<i32>(PORDER + ((<usize>q) << 2));
    if (load<f64>(PART_FIRST + ((<usize>p) << 3)) - qn > bestD) break;
    if (load<i32>(SCANNED + ((<usize>p) << 2)) != stamp) {
      scanPart(cell, p);
      store<i32>(SCANNED + ((<usize>p) << 2), stamp);
    }
    const d2 = load<f64>(PART_D2 + ((<usize>p) << 3));
    const at = load<i32>(PPOS + ((<usize>q) << 2));
    if (d2 < best || (d2 == best && at < bestPos)) {
      best = d2;
      bestD = Math.sqrt(d2);
      bestPos = at;
      G = load<i32>(PART_G + ((<usize>p) << 2));
      t = load<f64>(PART_T + ((<usize>p) << 3));
    }
  }
  setVessel(v, best, G, t);
}

/** BoundedShells.loadCell(). */
function loadCell(cell: i32): void {
  boundCell = cell;
  for (let p: i32 = 0; p < P; p++) {
    const slot = LISTS + ((<usize>(cell * P + p)) << 3);
    const off = load<u32>(slot);
    const end = off + load<u32>(slot + 4);
    let rMax: f64 = 0;
    for (let r: u32 = 0; r < end - off; r++) {
      const o =
        WORLD + <usize>load<i32>(CAND + <usize>(off + (r >> 2)) * GROUP_BYTES + 64 + ((<usize>(r & 3)) << 2)) * 88;
      const ra = load<f64>(o + 72);
      const rb = ra + load<f64>(o + 80);
      rMax = Math.max(rMax, Math.max(ra, rb));
    }
    store<f64>(
      PART_FIRST + ((<usize>p) << 3),
      end > off ? <f64>load<f32>(CAND + <usize>off * GROUP_BYTES + 48) : Infinity,
    );
    store<f64>(PART_RMAX + ((<usize>p) << 3), rMax);
  }
  for (let v: i32 = 0; v < V; v++) {
    const q0 = load<i32>(PATH_START + ((<usize>v) << 2));
    const q1 = load<i32>(PATH_START + ((<usize>(v + 1)) << 2));
    let first: f64 = Infinity;
    let rMax: f64 = 0;
    for (let q = q0; q < q1; q++) {
      const p = load<i32>(PATH_PARTS + ((<usize>q) << 2));
      const d = load<f64>(PART_FIRST + ((<usize>p) << 3));
      first = Math.min(first, d);
      rMax = Math.max(rMax, load<f64>(PART_RMAX + ((<usize>p) << 3)));
      let at = q;
      while (at > q0 && load<f64>(PART_FIRST + ((<usize>load<i32>(PORDER + ((<usize>(at - 1)) << 2))) << 3)) > d) {
        store<i32>(PORDER + ((<usize>at) << 2), load<i32>(PORDER + ((<usize>(at - 1)) << 2)));
        store<i32>(PPOS + ((<usize>at) << 2), load<i32>(PPOS + ((<usize>(at - 1)) << 2)));
        at--;
      }
      store<i32>(PORDER + ((<usize>at) << 2), p);
      store<i32>(PPOS + ((<usize>at) << 2), q - q0);
    }
    store<f64>(V_FIRST + ((<usize>v) << 3), first);
    store<f64>(V_RMAX + ((<usize>v) << 3), rMax);
    const key = first - rMax;
    let at = v;
    while (at > 0) {
      const u = load<i32>(ORDER + ((<usize>(at - 1)) << 2));
      if (load<f64>(V_FIRST + ((<usize>u) << 3)) - load<f64>(V_RMAX + ((<usize>u) << 3)) <= key) break;
      store<i32>(ORDER + ((<usize>at) << 2), u);
      at--;
    }
    store<i32>(ORDER + ((<usize>at) << 2), v);
  }
}

/** BoundedShells.locate() for the placed voxel of `cell`. */
function locate(cell: i32): void {
  if (cell != boundCell) loadCell(cell);
  stamp = stamp + 1;
  let B: f64 = Infinity;
  for (let n: i32 = 0; n < V; n++) {
    const v = load<i32>(ORDER + ((<usize>n) << 2));
    const L0 = load<f64>(V_FIRST + ((<usize>v) << 3)) - qn - load<f64>(V_RMAX + ((<usize>v) << 3)) - roundMm;
    if (L0 > B || L0 > wMax) {
      store<f64>(W + ((<usize>v) << 3), Infinity);
      continue;
    }
    evaluateVessel(cell, v);
    const w = load<f64>(W + ((<usize>v) << 3));
    if (w < B) B = w;
  }
}

/**
 * The label rule of ExactShells.label() (the guard aside) for every voxel of the cell's box
 * [i0, i1) × [j0, j1) × [k0, k1), voxel index n = i + cx·(j + cy·k) − base. Each voxel with a label
 * appends a record of i32 words at `out`: n, tieCount, then voi and ring per tied vessel, then
 * lesionCount and the lesion indices (ascending). Returns the number of words written.
 */
export function classifyCell(
  ci: i32,
  cj: i32,
  ck: i32,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  k0: i32,
  k1: i32,
  cx: i32,
  cy: i32,
  base: i32,
  out: usize,
): i32 {
  const cell = ci + load<i32>(CD + 12) * (cj + load<i32>(CD + 16) * ck);
  let wrote: i32 = 0;
  for (let k = k0; k < k1; k++) {
    for (let j = j0; j < j1; j++) {
      for (let i = i0; i < i1; i++) {
        place(i, j, k, ci, cj, ck);
        locate(cell);
        wrote += record(i + cx * (j + cy * k) - base, out + ((<usize>wrote) << 2));
      }
    }
  }
  return wrote;
}

/** The labels of the located voxel as a record at `at` (see classifyCell); 0 words when it has none. */
function record(n: i32, at: usize): i32 {
  let wMin: f64 = Infinity;
  for (let v: i32 = 0; v < V; v++) {
    const w = load<f64>(W + ((<usize>v) << 3));
    if (w <= 0) return 0;
    if (w < wMin) wMin = w;
  }
  if (!(wMin <= wMax) || wMin <= wallGap) return 0;
  let nTied: i32 = 0;
  for (let v: i32 = 0; v < V; v++) {
    if (load<f64>(W + ((<usize>v) << 3)) == wMin) {
      store<i32>(TIED + ((<usize>nTied) << 2), v);
      nTied++;
    }
  }
  const ring = <i32>Math.ceil(wMin / ringWidth) - 1;
  let any = false;
  store<i32>(at, n);
  store<i32>(at + 4, nTied);
  // Lesion hits go after the ties: at word 2 + 2·nTied (count), then the indices.
  const hits = at + 8 + ((<usize>nTied) << 3);
  let nHits: i32 = 0;
  for (let t: i32 = 0; t < nTied; t++) {
    const o = load<i32>(TIED + ((<usize>t) << 2));
    const s = load<f64>(S + ((<usize>o) << 3));
    const r = load<f64>(R + ((<usize>o) << 3));
    const inSeg = s >= load<f64>(VS0 + ((<usize>o) << 3)) && s <= load<f64>(VS1 + ((<usize>o) << 3));
    const inVoi = wMin <= 2 * r;
    const voi = inSeg && inVoi ? 1 + o : 0;
    const rg = inSeg && ring < ringCount ? 1 + o * ringCount + ring : 0;
    store<i32>(at + 8 + ((<usize>t) << 3), voi);
    store<i32>(at + 12 + ((<usize>t) << 3), rg);
    if (voi != 0 || rg != 0) any = true;
    if (inVoi) {
      for (let l: i32 = 0; l < L; l++) {
        if (
          load<i32>(LVESSEL + ((<usize>l) << 2)) == o &&
          s >= load<f64>(LSTART + ((<usize>l) << 3)) &&
          s <= load<f64>(LEND + ((<usize>l) << 3))
        ) {
          // Insertion in ascending order (a voxel is in a few lesions at most).
          let q = nHits;
          while (q > 0 && load<i32>(hits + 4 + ((<usize>(q - 1)) << 2)) > l) {
            store<i32>(hits + 4 + ((<usize>q) << 2), load<i32>(hits + 4 + ((<usize>(q - 1)) << 2)));
            q--;
          }
          store<i32>(hits + 4 + ((<usize>q) << 2), l);
          nHits++;
        }
      }
    }
  }
  if (!any && nHits == 0) return 0;
  store<i32>(hits, nHits);
  return 3 + 2 * nTied + nHits;
}

// ---- The candidate index (candidates.ts, liveOnly) --------------------------------------------

/** Candidates the share's index holds so far. */
export function candidates(): u32 {
  return candCount;
}

/** Centre (mm, crop-local) of cell `cell` along an axis of n voxels per cell, spacing sp. */
function centre(cell: i32, n: i32, sp: f64): f64 {
  return (<f64>(cell * n) + <f64>(n - 1) / 2) * sp;
}

function norm3(x: f64, y: f64, z: f64): f64 {
  return Math.sqrt(x * x + y * y + z * z);
}

/** nearestOnSegment of candidates.ts: the point at NEAR, the distance returned. */
function nearestOnSegment(G: i32, x: f64, y: f64, z: f64): f64 {
  const o = LOCAL + <usize>G * 48;
  const ax = load<f64>(o);
  const ay = load<f64>(o + 8);
  const az = load<f64>(o + 16);
  const ex = load<f64>(o + 24) - ax;
  const ey = load<f64>(o + 32) - ay;
  const ez = load<f64>(o + 40) - az;
  const l2 = ex * ex + ey * ey + ez * ez;
  let t: f64 = l2 > 0 ? ((x - ax) * ex + (y - ay) * ey + (z - az) * ez) / l2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const px = ax + t * ex;
  const py = ay + t * ey;
  const pz = az + t * ez;
  store<f64>(NEAR, px);
  store<f64>(NEAR + 8, py);
  store<f64>(NEAR + 16, pz);
  return Math.sqrt((x - px) * (x - px) + (y - py) * (y - py) + (z - pz) * (z - pz));
}

/** Whether segment G is live for vessel v (LabelArcs of candidates.ts). */
function live(v: i32, G: i32): bool {
  return load<u8>(LIVE + <usize>(v * segCount + G)) == 1;
}

/** LabelArcs.anyLive: some vessel has a live segment among its parts' block candidates. */
function anyLive(): bool {
  for (let v: i32 = 0; v < V; v++) {
    const q1 = load<i32>(PATH_START + ((<usize>(v + 1)) << 2));
    for (let q = load<i32>(PATH_START + ((<usize>v) << 2)); q < q1; q++) {
      const p = load<i32>(PATH_PARTS + ((<usize>q) << 2));
      const m = load<i32>(BLK_COUNT + ((<usize>p) << 2));
      const list = BLK_IDX + ((<usize>(p * longest)) << 2);
      for (let r: i32 = 0; r < m; r++) if (live(v, load<i32>(list + ((<usize>r) << 2)))) return true;
    }
  }
  return false;
}

/** LabelArcs.cellLive: anyLive over the kept entries of the cell. */
function cellLive(): bool {
  for (let v: i32 = 0; v < V; v++) {
    const q1 = load<i32>(PATH_START + ((<usize>(v + 1)) << 2));
    for (let q = load<i32>(PATH_START + ((<usize>v) << 2)); q < q1; q++) {
      const p = load<i32>(PATH_PARTS + ((<usize>q) << 2));
      const m = load<i32>(KEPT_COUNT + ((<usize>p) << 2));
      const list = BLK_IDX + ((<usize>(p * longest)) << 2);
      const at = KEPT + ((<usize>(p * longest)) << 2);
      for (let r: i32 = 0; r < m; r++) {
        if (live(v, load<i32>(list + ((<usize>load<i32>(at + ((<usize>r) << 2))) << 2)))) return true;
      }
    }
  }
  return false;
}

/** Room for `groups` more groups of candidates (the memory grown when short). */
function reserve(groups: u32): void {
  const end = CAND + <usize>(groupCount + groups) * GROUP_BYTES;
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    // Doubling the candidates' room (at least what is asked), as CandidateBuffer does.
    const more = <i32>((max(end - have, end - CAND) + 65535) >> 16);
    if (memory.grow(more) < 0) unreachable();
  }
}

/** Candidate r of the list whose groups start at group g0. */
function putCandidate(g0: u32, r: u32, seg: i32, nx: f64, ny: f64, nz: f64, dc: f64): void {
  const o = CAND + <usize>(g0 + (r >> 2)) * GROUP_BYTES + ((<usize>(r & 3)) << 2);
  store<f32>(o, <f32>nx);
  store<f32>(o + 16, <f32>ny);
  store<f32>(o + 32, <f32>nz);
  store<f32>(o + 48, <f32>dc);
  store<u32>(o + 64, seg);
}

/**
 * The lists of the cells of block row (bj, bk) (cells from bj, bk, BLOCK per block edge) in cell
 * slices [zCell0, zCell1): buildCandidateSteps' loop body for one row, liveOnly.
 */
export function buildRow(bk: i32, bj: i32): void {
  const BLOCK: i32 = 4;
  const gx = load<i32>(CD + 12);
  const gy = load<i32>(CD + 16);
  const gz = load<i32>(CD + 20);
  const nx = load<i32>(CD);
  const ny = load<i32>(CD + 4);
  const nz = load<i32>(CD + 8);
  const sx = kf(18);
  const sy = kf(19);
  const sz = kf(20);
  const e = halfDiag;
  for (let bi: i32 = 0; bi < gx; bi += BLOCK) {
    const ci1 = min(gx, bi + BLOCK);
    const cj1 = min(gy, bj + BLOCK);
    const bkEnd = min(gz, bk + BLOCK);
    const bx = (centre(bi, nx, sx) + centre(ci1 - 1, nx, sx)) / 2;
    const by = (centre(bj, ny, sy) + centre(cj1 - 1, ny, sy)) / 2;
    const bz = (centre(bk, nz, sz) + centre(bkEnd - 1, nz, sz)) / 2;
    const eb = norm3(centre(ci1 - 1, nx, sx) - bx, centre(cj1 - 1, ny, sy) - by, centre(bkEnd - 1, nz, sz) - bz) + e;
    let any = false;
    for (let p: i32 = 0; p < P; p++) {
      const base = load<i32>(PART_BASE + ((<usize>p) << 2));
      const n = load<i32>(PART_SEGS + ((<usize>p) << 2));
      const D = load<f64>(CUTOFF + ((<usize>p) << 3));
      const idx = BLK_IDX + ((<usize>(p * longest)) << 2);
      const dist = BLK_DIST + ((<usize>(p * longest)) << 3);
      let dminB: f64 = Infinity;
      for (let q: i32 = 0; q < n; q++) {
        const d = nearestOnSegment(base + q, bx, by, bz);
        store<f64>(dist + ((<usize>q) << 3), d);
        if (d < dminB) dminB = d;
      }
      const limitB = Math.min(dminB + 2 * eb, D + eb) + delta;
      let m: i32 = 0;
      for (let q: i32 = 0; q < n; q++) {
        const d = load<f64>(dist + ((<usize>q) << 3));
        if (d <= limitB) {
          store<i32>(idx + ((<usize>m) << 2), base + q);
          store<f64>(dist + ((<usize>m) << 3), d);
          m++;
        }
      }
      store<i32>(BLK_COUNT + ((<usize>p) << 2), m);
      store<f64>(BLK_MIN + ((<usize>p) << 3), dminB);
      if (m > 0) any = true;
    }
    if (!any || !anyLive()) continue;
    const ckEnd = min(bkEnd, zCell1);
    for (let ck = max(bk, zCell0); ck < ckEnd; ck++) {
      for (let cj = bj; cj < cj1; cj++) {
        for (let ci = bi; ci < ci1; ci++) {
          buildCell(ci, cj, ck, bx, by, bz, centre(ci, nx, sx), centre(cj, ny, sy), centre(ck, nz, sz), e, gx, gy);
        }
      }
    }
  }
}

/** The lists of cell (ci, cj, ck), centre (cx, cy, cz), of the block centred at (bx, by, bz). */
function buildCell(
  ci: i32,
  cj: i32,
  ck: i32,
  bx: f64,
  by: f64,
  bz: f64,
  cx: f64,
  cy: f64,
  cz: f64,
  e: f64,
  gx: i32,
  gy: i32,
): void {
  const h = norm3(cx - bx, cy - by, cz - bz);
  let count: i32 = 0;
  for (let p: i32 = 0; p < P; p++) {
    const m = load<i32>(BLK_COUNT + ((<usize>p) << 2));
    store<i32>(KEPT_COUNT + ((<usize>p) << 2), 0);
    if (m == 0) continue;
    const idx = BLK_IDX + ((<usize>(p * longest)) << 2);
    const bd = BLK_DIST + ((<usize>(p * longest)) << 3);
    const dist = CELL_DIST + ((<usize>(p * longest)) << 3);
    const normal = CELL_NORMAL + <usize>(p * longest) * 24;
    const D = load<f64>(CUTOFF + ((<usize>p) << 3));
    const pre = Math.min(load<f64>(BLK_MIN + ((<usize>p) << 3)) + h + 2 * e, D + e) + delta + h + 1e-9;
    let dmin: f64 = Infinity;
    for (let q: i32 = 0; q < m; q++) {
      if (load<f64>(bd + ((<usize>q) << 3)) > pre) {
        store<f64>(dist + ((<usize>q) << 3), Infinity);
        continue;
      }
      const d = nearestOnSegment(load<i32>(idx + ((<usize>q) << 2)), cx, cy, cz);
      store<f64>(dist + ((<usize>q) << 3), d);
      const inv: f64 = d > 1e-9 ? 1 / d : 0;
      const o = normal + <usize>q * 24;
      store<f64>(o, (cx - load<f64>(NEAR)) * inv);
      store<f64>(o + 8, (cy - load<f64>(NEAR + 8)) * inv);
      store<f64>(o + 16, (cz - load<f64>(NEAR + 16)) * inv);
      if (d < dmin) dmin = d;
    }
    const limit = Math.min(dmin + 2 * e, D + e) + delta;
    const out = KEPT + ((<usize>(p * longest)) << 2);
    let n: i32 = 0;
    for (let q: i32 = 0; q < m; q++) {
      const d = load<f64>(dist + ((<usize>q) << 3));
      if (d > limit) continue;
      let at = n++;
      while (at > 0 && load<f64>(dist + ((<usize>load<i32>(out + ((<usize>(at - 1)) << 2))) << 3)) > d) {
        store<i32>(out + ((<usize>at) << 2), load<i32>(out + ((<usize>(at - 1)) << 2)));
        at--;
      }
      store<i32>(out + ((<usize>at) << 2), q);
    }
    store<i32>(KEPT_COUNT + ((<usize>p) << 2), n);
    count += n;
  }
  if (count == 0) return;
  if (!cellLive()) return;
  const cell = ci + gx * (cj + gy * ck);
  store<u8>(MAY + <usize>cell, 1);
  for (let p: i32 = 0; p < P; p++) {
    const n = load<i32>(KEPT_COUNT + ((<usize>p) << 2));
    if (n == 0) continue;
    const out = KEPT + ((<usize>(p * longest)) << 2);
    const idx = BLK_IDX + ((<usize>(p * longest)) << 2);
    const dist = CELL_DIST + ((<usize>(p * longest)) << 3);
    const normal = CELL_NORMAL + <usize>(p * longest) * 24;
    const slot = LISTS + ((<usize>(cell * P + p)) << 3);
    const groups = (<u32>n + 3) >> 2;
    reserve(groups);
    const g0 = groupCount;
    store<u32>(slot, g0);
    store<u32>(slot + 4, n);
    for (let r: i32 = 0; r < n; r++) {
      const q = load<i32>(out + ((<usize>r) << 2));
      const o = normal + <usize>q * 24;
      putCandidate(
        g0,
        r,
        load<i32>(idx + ((<usize>q) << 2)),
        load<f64>(o),
        load<f64>(o + 8),
        load<f64>(o + 16),
        load<f64>(dist + ((<usize>q) << 3)),
      );
    }
    // The last group's empty lanes: never within reach.
    for (let r: u32 = <u32>n; r < groups << 2; r++) putCandidate(g0, r, 0, 0, 0, 0, Infinity);
    groupCount += groups;
    candCount += <u32>n;
  }
}
