// Region labels of the crop from the merged shell state (METHOD.md §4), as packed u8 layers:
//   voi     1 + vessel            0 < w ≤ 2r, s in the vessel's [s0, s1]
//   rings   1 + vessel·RINGS + k  k < w ≤ k+1, s in [s0, s1]
//   lesion  1 + lesion index      0 < w ≤ 2r, s in the lesion's interval, on its vessel
// Every region takes only voxels owned by the vessel, outside every lumen, beyond the wall gap
// (w > g) and, with the calcium guard on, farther than the guard from calcium.
// The radial tests are done on squares, d² against (r + x)², so no square root decides a boundary;
// w (from √d²) only picks the candidate ring. Overlapping lesions of one vessel go to different
// layers, one dispatch per layer (writeMain = 0 for all but the first).
// Mirrors src/cpu/shell-labels.ts operation for operation.

override WG: u32 = 64;
const NO_OWNER: u32 = 255u;
const LUMEN_BIT: u32 = 256u;
const UNDECIDED_BIT: u32 = 512u;
// Half-width (mm) of the band around every decision threshold inside which f32 is not trusted.
const BAND_MM: f32 = 1e-3;

struct Params {
  voxelCount: u32,
  // All lesions of every layer (the undecided test must not depend on the layer).
  lesionCount: u32,
  writeMain: u32,
  guardOn: u32,
  rings: u32,
  guard2: f32,
  wallGap: f32,
  ringWidth: f32,
  // The lesion layer this dispatch writes.
  layer: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

struct Lesion {
  vessel: u32,
  label: u32,
  start: f32,
  end: f32,
  layer: u32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> state: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> owner: array<u32>;
// Squared distance to calcium (f32 bits), read only when guardOn.
@group(0) @binding(3) var<storage, read> guardDist: array<u32>;
// Per vessel: [s0, s1], the band (mm of arc) around s thresholds, unused.
@group(0) @binding(4) var<storage, read> segments: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> lesions: array<Lesion>;
@group(0) @binding(6) var<storage, read_write> outVoi: array<u32>;
@group(0) @binding(7) var<storage, read_write> outRings: array<u32>;
@group(0) @binding(8) var<storage, read_write> outLesion: array<u32>;
// Voxels whose f32 geometry lies within BAND_MM of a threshold: [0] = count, then crop indices.
// They get no label here; the host classifies them in float64 and adds them to the histograms,
// so every backend and adapter reports the float64 definition.
@group(0) @binding(9) var<storage, read_write> undecided: array<atomic<u32>>;

fn sq(x: f32) -> f32 {
  return x * x;
}

fn near(x: f32, threshold: f32) -> bool {
  return abs(x - threshold) <= BAND_MM;
}

// Whether some decision for crop voxel v (owner, lumen, wall gap, VOI, ring, segment or lesion
// ends, calcium guard) is within BAND_MM of its threshold, for a voxel that may be in a region.
fn isUndecided(v: u32) -> bool {
  let code = owner[v];
  let o = code & 0xffu;
  if (o == NO_OWNER) {
    return false;
  }
  let st = state[v];
  let w = st.x;
  let s = st.z;
  let r = st.w;
  let reach = max(2.0 * r, f32(params.rings) * params.ringWidth);
  if (w > reach + BAND_MM) {
    return false;
  }
  if ((code & UNDECIDED_BIT) != 0u) {
    return true;
  }
  if ((code & LUMEN_BIT) != 0u) {
    return false;
  }
  if (params.guardOn != 0u && near(sqrt(bitcast<f32>(guardDist[v])), sqrt(params.guard2))) {
    return true;
  }
  if (params.wallGap > 0.0 && near(w, params.wallGap)) {
    return true;
  }
  if (near(w, 2.0 * r) || near(w, round(w / params.ringWidth) * params.ringWidth)) {
    return true;
  }
  let seg = segments[o];
  let sBand = seg.z;
  if ((seg.x > 0.0 && abs(s - seg.x) <= sBand) || abs(s - seg.y) <= sBand) {
    return true;
  }
  for (var i = 0u; i < params.lesionCount; i++) {
    let l = lesions[i];
    if (l.vessel == o && (abs(s - l.start) <= sBand || abs(s - l.end) <= sBand)) {
      return true;
    }
  }
  return false;
}

// Labels (voi, ring, lesion) of crop voxel v.
fn labelsOf(v: u32) -> vec3<u32> {
  let code = owner[v];
  let o = code & 0xffu;
  if (o == NO_OWNER || (code & LUMEN_BIT) != 0u) {
    return vec3<u32>(0u);
  }
  if (params.guardOn != 0u && bitcast<f32>(guardDist[v]) <= params.guard2) {
    return vec3<u32>(0u);
  }
  let st = state[v];
  let w = st.x;
  let d2 = st.y;
  let s = st.z;
  let r = st.w;
  if (d2 <= sq(r + params.wallGap)) {
    return vec3<u32>(0u);
  }
  let inVoi = d2 <= sq(3.0 * r);
  let seg = segments[o];
  let inSeg = s >= seg.x && s <= seg.y;
  var res = vec3<u32>(0u);
  if (inSeg && inVoi) {
    res.x = 1u + o;
  }
  let outer = f32(params.rings) * params.ringWidth;
  if (inSeg && w <= outer + params.ringWidth) {
    var k = max(i32(ceil(w / params.ringWidth)) - 1, 0);
    if (k > 0 && d2 <= sq(r + f32(k) * params.ringWidth)) {
      k -= 1;
    } else if (d2 > sq(r + f32(k + 1) * params.ringWidth)) {
      k += 1;
    }
    let inner = sq(r + f32(k) * params.ringWidth);
    let outerK = sq(r + f32(k + 1) * params.ringWidth);
    if (k < i32(params.rings) && d2 > inner && d2 <= outerK) {
      res.y = 1u + o * params.rings + u32(k);
    }
  }
  if (inVoi) {
    for (var i = 0u; i < params.lesionCount; i++) {
      let l = lesions[i];
      if (l.layer == params.layer && l.vessel == o && s >= l.start && s <= l.end) {
        res.z = l.label;
        break;
      }
    }
  }
  return res;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let quads = (params.voxelCount + 3u) / 4u;
  let stride = nwg.x * WG;
  for (var q = gid.x; q < quads; q += stride) {
    var voi = 0u;
    var rings = 0u;
    var lesion = 0u;
    for (var k = 0u; k < 4u; k++) {
      let v = 4u * q + k;
      if (v >= params.voxelCount) {
        break;
      }
      if (isUndecided(v)) {
        if (params.writeMain != 0u) {
          let slot = atomicAdd(&undecided[0], 1u) + 1u;
          if (slot < arrayLength(&undecided)) {
            atomicStore(&undecided[slot], v);
          }
        }
        continue;
      }
      let l = labelsOf(v);
      voi = voi | (l.x << (8u * k));
      rings = rings | (l.y << (8u * k));
      lesion = lesion | (l.z << (8u * k));
    }
    if (params.writeMain != 0u) {
      outVoi[q] = voi;
      outRings[q] = rings;
    }
    if (params.lesionCount > 0u) {
      outLesion[q] = lesion;
    }
  }
}
