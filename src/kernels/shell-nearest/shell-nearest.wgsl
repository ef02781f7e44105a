// Pericoronary geometry: for every voxel of the live cells (where a label can be; a chunk of them
// per dispatch, src/shells/live-cells.ts), the nearest point of each vessel's centerline over the
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

override WG: u32;
override NO_OWNER: u32;
override LUMEN_BIT: u32;
override UNDECIDED_BIT: u32;
override S_UNSURE_BIT: u32;
override TIE_SHIFT: u32;
override BAND_MM: f32;
override BOUND_SLACK_MM: f32;
override FAR_D2: f32;
// 1: scan ahead over candidates whose bound fails before evaluating (adapters whose invocations
// run in lockstep emulation; shell-nearest.ts chooses), 0: one candidate per iteration.
override SCAN_AHEAD: u32;

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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  let cellSlice = params.nx * params.ny;
  var evaluations = 0u;
  // Adjacent invocations take adjacent voxels of one cell: they read the same candidate lists.
  for (var e = gid.x; e < params.entries; e += stride) {
    let cell = tables[params.liveOffset + e / params.cellVoxels];
    let r = e % params.cellVoxels;
    let ci = cell % params.gx;
    let cj = (cell / params.gx) % params.gy;
    let ck = cell / (params.gx * params.gy);
    let i = ci * params.nx + r % params.nx;
    let j = cj * params.ny + (r / params.nx) % params.ny;
    let k = ck * params.nz + r / cellSlice;
    if (i >= params.cx || j >= params.cy || k < params.z0 || k >= params.z1) {
      state[e] = vec4<f32>(0.0);
      owner[e] = NO_OWNER;
      continue;
    }
    let qx = (f32(i - ci * params.nx) - 0.5 * f32(params.nx - 1u)) * params.sx;
    let qy = (f32(j - cj * params.ny) - 0.5 * f32(params.ny - 1u)) * params.sy;
    let qz = (f32(k - ck * params.nz) - 0.5 * f32(params.nz - 1u)) * params.sz;
    let qn = sqrt(qx * qx + qy * qy + qz * qz) + BOUND_SLACK_MM;
    let px = f32(i) * params.sx;
    let py = f32(j) * params.sy;
    let pz = f32(k) * params.sz;

    var code = NO_OWNER;
    var st = vec4<f32>(0.0);
    var ownW = 0.0;
    var ownU = 0.0;
    var ownMask = 0u;
    var owned = false;
    // min(w − u) over the vessels that do not own the voxel (FAR_D2: none yet).
    var rivalLo = FAR_D2;
    for (var vi = 0u; vi < params.vessels; vi++) {
      let pathStart = tables[4u * vi + 2u];
      let pathCount = tables[4u * vi + 3u];
      var best = FAR_D2;
      var bestD = FAR_D2;
      var bestG = NONE;
      var bestPart = NONE;
      var bestT = 0.0;
      var bound2 = FAR_D2;
      var sLo = FAR_D2;
      var sHi = -FAR_D2;
      var rLo = FAR_D2;
      var rHi = -FAR_D2;
      var mask = 0u;
      for (var q = 0u; q < pathCount; q++) {
        let part = tables[params.pathOffset + pathStart + q];
        let slot = 2u * (cell * params.parts + part);
        let first = lists[slot];
        let end = first + lists[slot + 1u];
        for (var m = first; m < end; m++) {
          var pl = candPlane[m];
          if (pl.w - qn > bestD + BAND_MM) {
            break;
          }
          var lb = pl.w + qx * pl.x + qy * pl.y + qz * pl.z - BOUND_SLACK_MM;
          if (SCAN_AHEAD != 0u) {
            // Lanes in lockstep (SwiftShader's SIMD emulation): scan on to the next candidate
            // whose bound passes before evaluating, so the evaluation runs once per candidate
            // some lane evaluates in turn, not once per candidate of the list (the same
            // candidates, in the same order).
            while (lb > bestD + BAND_MM) {
              m++;
              if (m >= end) {
                break;
              }
              pl = candPlane[m];
              if (pl.w - qn > bestD + BAND_MM) {
                m = end;
                break;
              }
              lb = pl.w + qx * pl.x + qy * pl.y + qz * pl.z - BOUND_SLACK_MM;
            }
            if (m >= end) {
              break;
            }
          } else if (lb > bestD + BAND_MM) {
            continue;
          }
          let g = candSeg[m];
          evaluations += 1u;
          let s0 = segments[3u * g];
          let s1 = segments[3u * g + 1u];
          let s2 = segments[3u * g + 2u];
          let vx = px - s0.x;
          let vy = py - s0.y;
          let vz = pz - s0.z;
          var t = 0.0;
          if (s1.z > 0.0) {
            t = clamp((vx * s0.w + vy * s1.x + vz * s1.y) / s1.z, 0.0, 1.0);
          }
          let dx = vx - t * s0.w;
          let dy = vy - t * s1.x;
          let dz = vz - t * s1.y;
          let d2 = dx * dx + dy * dy + dz * dz;
          if (d2 < best || (d2 == best && part == bestPart && g < bestG)) {
            let dist = sqrt(d2);
            // Farther than the band from the new best: the near ties seen so far are not near ties.
            if (dist + BAND_MM < bestD) {
              sLo = FAR_D2;
              sHi = -FAR_D2;
              rLo = FAR_D2;
              rHi = -FAR_D2;
              mask = 0u;
            }
            best = d2;
            bestD = dist;
            bestG = g;
            bestPart = part;
            bestT = t;
            let b = bestD + BAND_MM;
            bound2 = b * b;
          }
          if (d2 <= bound2) {
            let s = s1.w + t * s2.x;
            let r = s2.y + t * s2.z;
            sLo = min(sLo, s);
            sHi = max(sHi, s);
            rLo = min(rLo, r);
            rHi = max(rHi, r);
            mask = mask | (1u << part);
          }
        }
      }
      if (bestG == NONE) {
        continue;
      }
      let b1 = segments[3u * bestG + 1u];
      let b2 = segments[3u * bestG + 2u];
      let s = b1.w + bestT * b2.x;
      let r = b2.y + bestT * b2.z;
      let w = sqrt(best) - r;
      let u = max(r - rLo, rHi - r);
      if (best <= r * r) {
        code = code | LUMEN_BIT;
      }
      if (abs(w) <= BAND_MM + u) {
        code = code | UNDECIDED_BIT;
      }
      var sharedExact = false;
      if (owned) {
        sharedExact = mask == ownMask && countOneBits(mask) == 1u;
      }
      if (owned && sharedExact && w == ownW) {
        // An exact tie in a shared part: same s range, but this vessel's own thresholds.
        code = code | (1u << (TIE_SHIFT + vi));
        if (sThresholdIn(vi, sLo, sHi)) {
          code = code | S_UNSURE_BIT;
        }
      } else if (!owned || w < ownW) {
        if (owned) {
          // The former owner (and every vessel tied with it) is now a rival.
          rivalLo = min(rivalLo, ownW - ownU);
        }
        owned = true;
        ownW = w;
        ownU = u;
        ownMask = mask;
        st = vec4<f32>(best, s, r, u);
        code = (code & (LUMEN_BIT | UNDECIDED_BIT)) | vi | (1u << (TIE_SHIFT + vi));
        if (sThresholdIn(vi, sLo, sHi)) {
          code = code | S_UNSURE_BIT;
        }
      } else {
        rivalLo = min(rivalLo, w - u);
      }
    }
    // Ownership is sure when every rival's w, less its uncertainty, exceeds the owner's by more than
    // twice the band: judged against the final owner only, so it does not depend on the order in
    // which the vessels are scanned (an owner beaten later leaves no trace).
    if (owned && (rivalLo - ownW) - ownU <= 2.0 * BAND_MM) {
      code = code | UNDECIDED_BIT;
    }
    state[e] = st;
    owner[e] = code;
  }
  // One atomic per invocation (grid-stride: a few thousand invocations), no barrier: a barrier makes
  // software adapters run invocations as coroutines. A u32 holds the 10⁷–10⁸ evaluations of a crop.
  if (evaluations != 0u) {
    atomicAdd(&work[0], evaluations);
  }
}
