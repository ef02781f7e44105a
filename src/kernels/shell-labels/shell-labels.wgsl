// Region labels of the crop from the merged shell state (METHOD.md §4), as packed u8 layers:
//   voi     1 + vessel            0 < w ≤ 2r, s in the vessel's [s0, s1]
//   rings   1 + vessel·RINGS + k  k < w ≤ k+1, s in [s0, s1]
//   lesion  1 + lesion index      0 < w ≤ 2r, s in the lesion's interval, on its vessel
// Every region takes only voxels owned by the vessel, outside every lumen, beyond the wall gap
// (w > g) and, with the calcium guard on, farther than the guard from calcium.
// The radial tests are done on squares, d² against (r + x)², so no square root decides a boundary;
// w (from √d²) only picks the candidate ring.
// Layers, one dispatch each (8 storage bindings: the default limit): dispatch `layer` writes tie
// layer `layer` — the VOI and ring labels of the voxel's layer-th tied owner (bits of the owner
// word's tie mask in index order; METHOD.md §4: an exact tie counts for every tied vessel) — and
// lesion layer `layer` (lesions a voxel can be in at once go to different layers, plan.ts), each
// while there is one; only dispatch 0 (writeMain) lists the undecided voxels.
//
// A voxel whose f32 geometry is within the band of a threshold (widened by the uncertainty of its
// nearest point's r, see shell_nearest.wgsl) gets no label here: it is appended to `undecided`
// with the reason, and the host classifies it in float64 and adds it to the histograms, so every
// backend and adapter reports the float64 definition.
// Invocations take the entries of one chunk of live cells (src/shells/live-cells.ts), as
// shell_nearest.wgsl did: state and owner are per entry; the label layers are per voxel of the
// crop's z-slab (packed u8, zero where no label), the guard's distances cover the slab and a halo
// around it. Voxels of neighbouring cells share label words, so labels are OR-ed in atomically.
// The rules (undecidedReason, labelsOf) are ../lib/shell-rules.wgsl, prepended by shell-labels.ts.
// Mirrors shell-labels.cpu.ts operation for operation.

override WG: u32;

struct Params {
  // Entries of this chunk of live cells: cells · cellVoxels.
  entries: u32,
  // All lesions of every layer (the undecided test must not depend on the layer).
  lesionCount: u32,
  lesionOffset: u32,
  writeMain: u32,
  guardOn: u32,
  // The tie and lesion layer this dispatch writes.
  layer: u32,
  guard2: f32,
  wallGap: f32,
  // Crop index of the slab's first voxel (label layers are the slab's; the undecided list holds
  // crop indices).
  voxelBase: u32,
  // Index in guardDist of the slab's first voxel: the guard's EDT covers the slab and a halo.
  guardBase: u32,
  // Tie and lesion layers the kernels write (plan.tieLayerCount, plan.lesionLayerCount).
  tieLayers: u32,
  lesionLayers: u32,
  // Entry decoding, as in shell_nearest.wgsl: crop size, cell size, cells per row and slice, this
  // chunk's first live cell in `tables`, voxels per cell, the slab's slices [z0, z1).
  cx: u32,
  cy: u32,
  nx: u32,
  ny: u32,
  nz: u32,
  gx: u32,
  gy: u32,
  liveOffset: u32,
  cellVoxels: u32,
  z0: u32,
  z1: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per entry of the chunk, from shell_nearest.wgsl.
@group(0) @binding(1) var<storage, read> state: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> owner: array<u32>;
// Squared distance to calcium (f32 bits), read only when guardOn.
@group(0) @binding(3) var<storage, read> guardDist: array<u32>;
// The tables of shell_nearest.wgsl: per vessel (s0 bits, s1 bits, ...), lesions at lesionOffset,
// the live cells at liveOffset.
@group(0) @binding(4) var<storage, read> tables: array<u32>;
@group(0) @binding(5) var<storage, read_write> outVoi: array<atomic<u32>>;
@group(0) @binding(6) var<storage, read_write> outRings: array<atomic<u32>>;
@group(0) @binding(7) var<storage, read_write> outLesion: array<atomic<u32>>;
// [0] = count, then per voxel two words: crop index, reason | owner << 8.
@group(0) @binding(8) var<storage, read_write> undecided: array<atomic<u32>>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  for (var e = gid.x; e < params.entries; e += stride) {
    if ((owner[e] & 0xffu) == NO_OWNER) {
      // Void, or near no vessel: no label, nothing undecided.
      continue;
    }
    let c = entryCropIndex(e);
    let v = c - params.voxelBase;
    let reason = undecidedReason(e, v);
    if (reason != 0u) {
      if (params.writeMain != 0u) {
        listUndecided(e, c, reason);
      }
      continue;
    }
    let l = labelsOf(e, v);
    let word = v / 4u;
    let shift = 8u * (v % 4u);
    if (params.layer < params.tieLayers) {
      if (l.x != 0u) {
        atomicOr(&outVoi[word], l.x << shift);
      }
      if (l.y != 0u) {
        atomicOr(&outRings[word], l.y << shift);
      }
    }
    if (params.layer < params.lesionLayers && l.z != 0u) {
      atomicOr(&outLesion[word], l.z << shift);
    }
  }
}
