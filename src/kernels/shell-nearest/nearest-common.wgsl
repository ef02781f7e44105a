// Pericoronary geometry, shared by the two shell_nearest kernels (shell-nearest.ts prepends it to
// shell-nearest.wgsl, four voxels per invocation, or to shell-nearest-voxel.wgsl, one): for every
// voxel of the live cells (where a label can be; a chunk of them per dispatch,
// src/shells/live-cells.ts), the nearest point of each vessel's centerline over the
// candidate index (src/shells/candidates.ts), merged into ownership, in f32, with the uncertainty
// the host needs to settle in float64 exactly the voxels f32 cannot decide. Other cells hold no
// voxel that can be labelled: no invocation visits them (the CPU backend skips them too).
//
// Per vessel, its parts (runs of segments, a shared stem once) are searched in path order; in a
// part the candidates of the voxel's cell come sorted by dc, the distance from the cell centre,
// and each carries the unit normal n of a half-space holding its segment, so
// dist(v, σ) ≥ dc + (v − c)·n: the scan skips a candidate whose bound exceeds the best distance
// by more than the band, and stops once dc − |v − c| does. Ties: the lower segment in a part, the
// earlier part across parts (the order of the segments along the vessel).
//
// Uncertainty: every candidate within BAND_MM of the best distance could be float64's nearest, so
// the kernel keeps the range of their arc lengths s and radii r (reset whenever the best drops by
// more than the band: what came before is then out of it). The voxel is UNDECIDED when its
// lumen test (w ≤ 0) or its ownership (smallest w, against the final owner's rivals) is within the
// band widened by the r range; the
// owner is S_UNSURE when its s range straddles one of its s thresholds (or a tied vessel's).
// Exact ties (METHOD.md §4: a tie counts for every tied vessel): two vessels whose near ties all
// lie in one shared part have exactly equal w, s and r, in f32 here and in float64 (the same
// candidates of the same part, scanned after the same common prefix of parts); the later vessel
// joins the owner's tie mask (bit TIE_SHIFT + vessel) without settling. The owner index is the
// lowest tied vessel. A near tie across parts is UNDECIDED: float64 decides whether it is exact.
//
// Same f32 operations in the same order as shell-nearest.cpu.ts.

// The owner word's overrides (NO_OWNER, the flag bits, TIE_SHIFT, BAND_MM) are ../lib/owner-word.wgsl's.
override WG: u32;
override BOUND_SLACK_MM: f32;
override FAR_D2: f32;

const NONE: u32 = 0xffffffffu;

struct Params {
  // Entries of this chunk of live cells (src/shells/live-cells.ts): cells · cellVoxels.
  entries: u32,
  cx: u32,
  cy: u32,
  // Cell size (voxels) and cells per row / per slice.
  nx: u32,
  ny: u32,
  nz: u32,
  gx: u32,
  gy: u32,
  parts: u32,
  vessels: u32,
  // Word offsets in `tables` of the vessels' part paths and of the lesions.
  pathOffset: u32,
  lesionOffset: u32,
  lesionCount: u32,
  sx: f32,
  sy: f32,
  sz: f32,
  // Word offset in `tables` of this chunk's first live cell; voxels per cell.
  liveOffset: u32,
  cellVoxels: u32,
  // The slab's crop slices [z0, z1): an entry outside them (or outside the crop) is void.
  z0: u32,
  z1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per (cell, part): offset and count of its candidates.
@group(0) @binding(1) var<storage, read> lists: array<u32>;
@group(0) @binding(2) var<storage, read> candSeg: array<u32>;
// Per candidate: unit normal n (xyz) and dc (w).
@group(0) @binding(3) var<storage, read> candPlane: array<vec4<f32>>;
// Per segment, three vec4: (ax, ay, az, ex), (ey, ez, len², s_a), (Δs, r_a, Δr, 0), crop-local mm.
@group(0) @binding(4) var<storage, read> segments: array<vec4<f32>>;
// Words: per vessel (s0 bits, s1 bits, path start, path count); at pathOffset the part indices of
// every path; at lesionOffset per lesion (vessel, label, start bits, end bits, layer, 0, 0, 0); the
// live cells of every chunk after them (liveOffset).
@group(0) @binding(5) var<storage, read> tables: array<u32>;
// Per entry of the chunk: (d², s, r, r uncertainty) of the owning vessel.
@group(0) @binding(6) var<storage, read_write> state: array<vec4<f32>>;
// Per entry: owner index | LUMEN_BIT | UNDECIDED_BIT | S_UNSURE_BIT | tie mask << TIE_SHIFT
// (NO_OWNER for a void entry).
@group(0) @binding(7) var<storage, read_write> owner: array<u32>;
// [0]: segment evaluations, summed per workgroup (the work count of diagnostics and the bench).
@group(0) @binding(8) var<storage, read_write> work: array<atomic<u32>>;

fn straddles(lo: f32, hi: f32, t: f32) -> bool {
  return t >= lo - BAND_MM && t <= hi + BAND_MM;
}

// Whether one of vessel vi's s thresholds (segment ends, its lesions' ends) lies in [lo, hi] ± band.
fn sThresholdIn(vi: u32, lo: f32, hi: f32) -> bool {
  let s0 = bitcast<f32>(tables[4u * vi]);
  let s1 = bitcast<f32>(tables[4u * vi + 1u]);
  // s ≥ 0 always holds, so a segment starting at the ostium has no lower threshold.
  if ((s0 > 0.0 && straddles(lo, hi, s0)) || straddles(lo, hi, s1)) {
    return true;
  }
  for (var l = 0u; l < params.lesionCount; l++) {
    let o = params.lesionOffset + 8u * l;
    if (tables[o] == vi &&
        (straddles(lo, hi, bitcast<f32>(tables[o + 2u])) || straddles(lo, hi, bitcast<f32>(tables[o + 3u])))) {
      return true;
    }
  }
  return false;
}

// What a voxel's ownership holds while the vessels are merged into it (one per voxel of a packet).
struct Own {
  code: u32,
  st: vec4<f32>,
  w: f32,
  u: f32,
  mask: u32,
  owned: bool,
  // min(w − u) over the vessels that do not own the voxel (FAR_D2: none yet).
  rivalLo: f32,
}

fn newOwn() -> Own {
  return Own(NO_OWNER, vec4<f32>(0.0), 0.0, 0.0, 0u, false, FAR_D2);
}

// Merges vessel vi's nearest point (its best d², segment, t and near-tie ranges) into a voxel's
// ownership.
fn mergeVessel(o: ptr<function, Own>, vi: u32, best: f32, bestG: u32, bestT: f32, sLo: f32, sHi: f32,
               rLo: f32, rHi: f32, mask: u32) {
  if (bestG == NONE) {
    return;
  }
  let b1 = segments[3u * bestG + 1u];
  let b2 = segments[3u * bestG + 2u];
  let s = b1.w + bestT * b2.x;
  let r = b2.y + bestT * b2.z;
  let w = sqrt(best) - r;
  let u = max(r - rLo, rHi - r);
  var code = (*o).code;
  if (best <= r * r) {
    code = code | LUMEN_BIT;
  }
  if (abs(w) <= BAND_MM + u) {
    code = code | UNDECIDED_BIT;
  }
  let owned = (*o).owned;
  var sharedExact = false;
  if (owned) {
    sharedExact = mask == (*o).mask && countOneBits(mask) == 1u;
  }
  if (owned && sharedExact && w == (*o).w) {
    // An exact tie in a shared part: same s range, but this vessel's own thresholds.
    code = code | (1u << (TIE_SHIFT + vi));
    if (sThresholdIn(vi, sLo, sHi)) {
      code = code | S_UNSURE_BIT;
    }
  } else if (!owned || w < (*o).w) {
    if (owned) {
      // The former owner (and every vessel tied with it) is now a rival.
      (*o).rivalLo = min((*o).rivalLo, (*o).w - (*o).u);
    }
    (*o).owned = true;
    (*o).w = w;
    (*o).u = u;
    (*o).mask = mask;
    (*o).st = vec4<f32>(best, s, r, u);
    code = (code & (LUMEN_BIT | UNDECIDED_BIT)) | vi | (1u << (TIE_SHIFT + vi));
    if (sThresholdIn(vi, sLo, sHi)) {
      code = code | S_UNSURE_BIT;
    }
  } else {
    (*o).rivalLo = min((*o).rivalLo, w - u);
  }
  (*o).code = code;
}

// Ownership is sure when every rival's w, less its uncertainty, exceeds the owner's by more than
// twice the band: judged against the final owner only, so it does not depend on the order in
// which the vessels are scanned (an owner beaten later leaves no trace).
fn writeVoxel(e: u32, o: Own) {
  var code = o.code;
  if (o.owned && (o.rivalLo - o.w) - o.u <= 2.0 * BAND_MM) {
    code = code | UNDECIDED_BIT;
  }
  state[e] = o.st;
  owner[e] = code;
}
