// Pericoronary geometry of one vessel, merged into the running per-voxel state of all vessels.
//
// For each crop voxel: its nearest seed (a centerline sample snapped to a voxel) comes from the
// vessel's feature transform over the domain; the exact nearest point p of the polyline is then
// found by projecting onto every segment of that seed's refinement window (the host lists them),
// ties to the lower segment (smaller arc length). When the best point is an end of the window, the
// window walks on along the polyline while the distance keeps falling, so the result is the exact
// minimum of the seed's basin even when snapping put the seed a few mm of arc away from it. The
// seeds of the six face neighbours are searched too when their windows are elsewhere on the
// polyline, which catches most voxels near the boundary between two basins (see basin()). From p: d² = |v − p|², s = arc length at p,
// r = radius interpolated along the segment, w = √d² − r.
//
// Merging (vessels in index order): a voxel is lumen when d² ≤ r² for any vessel; its owner is the
// vessel with the smallest w, ties to the lower index (strict <). A voxel whose nearest seed is
// farther than farCut is "far": its true w exceeds every region's outer bound, so it is not refined.
//
// Same f32 operations in the same order as src/cpu/shell-labels.ts, so labels agree voxel for voxel.

override WG: u32 = 64;
const NONE: u32 = 0xffffffffu;
const NO_OWNER: u32 = 255u;
const LUMEN_BIT: u32 = 256u;
const UNDECIDED_BIT: u32 = 512u;
// Half-width (mm) of the band around every decision threshold inside which f32 is not trusted.
const BAND_MM: f32 = 1e-3;
const FAR_W: f32 = 3.0e38;
const SEED_WORDS: u32 = 3u;
const SEGMENT_WORDS: u32 = 12u;

struct Params {
  // Crop dims and its offset inside the feature-transform domain.
  cx: u32,
  cy: u32,
  cz: u32,
  ox: u32,
  oy: u32,
  oz: u32,
  // Domain dims.
  dx: u32,
  dy: u32,
  dz: u32,
  vessel: u32,
  seedCount: u32,
  // 1 for the first vessel: initialise the state instead of merging into it.
  first: u32,
  sx: f32,
  sy: f32,
  sz: f32,
  farCut2: f32,
  segCount: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ft: array<u32>;
@group(0) @binding(2) var<storage, read> seeds: array<u32>;
@group(0) @binding(3) var<storage, read> segments: array<f32>;
// Per crop voxel: (w, d², s, r) of the owning vessel so far.
@group(0) @binding(4) var<storage, read_write> state: array<vec4<f32>>;
// Per crop voxel: owner (low byte, 255 = none) | LUMEN_BIT.
@group(0) @binding(5) var<storage, read_write> owner: array<u32>;

fn domainCoords(v: u32) -> vec3<i32> {
  let slice = params.dx * params.dy;
  return vec3<i32>(i32(v % params.dx), i32((v / params.dx) % params.dy), i32(v / slice));
}

// (d², t) of the projection of p onto segment g.
fn project(g: u32, px: f32, py: f32, pz: f32) -> vec2<f32> {
  let o = g * SEGMENT_WORDS;
  let vx = px - segments[o];
  let vy = py - segments[o + 1u];
  let vz = pz - segments[o + 2u];
  let ex = segments[o + 3u];
  let ey = segments[o + 4u];
  let ez = segments[o + 5u];
  let len2 = segments[o + 6u];
  var t = 0.0;
  if (len2 > 0.0) {
    let dp = (vx * ex + vy * ey) + vz * ez;
    t = min(max(dp / len2, 0.0), 1.0);
  }
  let qx = vx - t * ex;
  let qy = vy - t * ey;
  let qz = vz - t * ez;
  return vec2<f32>((qx * qx + qy * qy) + qz * qz, t);
}

fn dimsOf(axis: u32) -> u32 {
  if (axis == 0u) {
    return params.dx;
  }
  if (axis == 1u) {
    return params.dy;
  }
  return params.dz;
}

// Index of the seed record of domain voxel `site` (records sorted by voxel; `site` is present).
fn findSeed(site: u32) -> u32 {
  var lo = 0u;
  var hi = params.seedCount;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (seeds[mid * SEED_WORDS] < site) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  return lo;
}

struct Basin {
  d2: f32,
  t: f32,
  g: u32,
  // Segments searched.
  lo: u32,
  hi: u32,
}

// Nearest point of p over the window of seed record `rec`, then walking on past either end of the
// window while the distance keeps falling: the exact minimum of that basin of the polyline.
fn basin(rec: u32, p: vec3<f32>) -> Basin {
  let segLo = seeds[rec * SEED_WORDS + 1u];
  let segHi = seeds[rec * SEED_WORDS + 2u];
  var best = FAR_W;
  var bestT = 0.0;
  var bestG = segLo;
  for (var g = segLo; g <= segHi; g++) {
    let e = project(g, p.x, p.y, p.z);
    if (e.x < best) {
      best = e.x;
      bestT = e.y;
      bestG = g;
    }
  }
  var hiG = segHi;
  loop {
    if (bestG != hiG || bestT < 1.0 || hiG + 1u >= params.segCount) {
      break;
    }
    hiG += 1u;
    let e = project(hiG, p.x, p.y, p.z);
    if (!(e.x < best)) {
      break;
    }
    best = e.x;
    bestT = e.y;
    bestG = hiG;
  }
  var loG = segLo;
  loop {
    if (bestG != loG || bestT > 0.0 || loG == 0u) {
      break;
    }
    loG -= 1u;
    let e = project(loG, p.x, p.y, p.z);
    if (!(e.x < best)) {
      break;
    }
    best = e.x;
    bestT = e.y;
    bestG = loG;
  }
  return Basin(best, bestT, bestG, loG, hiG);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let count = params.cx * params.cy * params.cz;
  let stride = nwg.x * WG;
  for (var c = gid.x; c < count; c += stride) {
    let di = c % params.cx + params.ox;
    let dj = (c / params.cx) % params.cy + params.oy;
    let dk = c / (params.cx * params.cy) + params.oz;
    let site = ft[di + params.dx * (dj + params.dy * dk)];

    var far = true;
    var best = 0.0;
    var s = 0.0;
    var r = 0.0;
    if (site != NONE) {
      let sc = domainCoords(site);
      let ax = f32(i32(di) - sc.x) * params.sx;
      let ay = f32(i32(dj) - sc.y) * params.sy;
      let az = f32(i32(dk) - sc.z) * params.sz;
      let dq2 = (ax * ax + ay * ay) + az * az;
      if (dq2 <= params.farCut2) {
        far = false;
        let p = vec3<f32>(f32(di) * params.sx, f32(dj) * params.sy, f32(dk) * params.sz);
        var b = basin(findSeed(site), p);
        // The nearest seeds of the six face neighbours: where snapping moved the seed Voronoi
        // boundary between two basins of the polyline past this voxel, a neighbour still sees the
        // other basin. Only windows disjoint from the one already searched are searched.
        let own = vec2<u32>(b.lo, b.hi);
        for (var nb = 0u; nb < 6u; nb++) {
          var q = vec3<i32>(i32(di), i32(dj), i32(dk));
          let axis = nb / 2u;
          q[axis] += select(-1, 1, (nb & 1u) == 1u);
          if (q[axis] < 0 || q[axis] >= i32(dimsOf(axis))) {
            continue;
          }
          let other = ft[u32(q.x) + params.dx * (u32(q.y) + params.dy * u32(q.z))];
          if (other == NONE || other == site) {
            continue;
          }
          let rec = findSeed(other);
          let wLo = seeds[rec * SEED_WORDS + 1u];
          let wHi = seeds[rec * SEED_WORDS + 2u];
          if (wHi >= own.x && wLo <= own.y) {
            continue;
          }
          let nbB = basin(rec, p);
          if (nbB.d2 < b.d2) {
            b = nbB;
          }
        }
        best = b.d2;
        let o = b.g * SEGMENT_WORDS;
        s = segments[o + 7u] + b.t * segments[o + 8u];
        r = segments[o + 9u] + b.t * segments[o + 10u];
      }
    }

    var prevW = FAR_W;
    var code = NO_OWNER;
    if (params.first == 0u) {
      prevW = state[c].x;
      code = owner[c];
    } else {
      state[c] = vec4<f32>(FAR_W, 0.0, 0.0, 0.0);
    }
    if (!far) {
      if (best <= r * r) {
        code = code | LUMEN_BIT;
      }
      let w = sqrt(best) - r;
      // Undecided in f32: on the lumen wall, or nearly as close to another vessel's wall. The
      // host settles such voxels in float64 (see shell_labels.wgsl).
      if (abs(w) <= BAND_MM || (prevW < FAR_W && abs(w - prevW) <= BAND_MM)) {
        code = code | UNDECIDED_BIT;
      }
      if (w < prevW) {
        state[c] = vec4<f32>(w, best, s, r);
        code = (code & ~0xffu) | params.vessel;
      }
    }
    owner[c] = code;
  }
}
