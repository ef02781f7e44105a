// Fused fat-window statistics for software adapters (SwiftShader): the same counts as
// fat_stats.wgsl, with each workgroup's histogram in its own slice of a storage buffer instead of
// workgroup memory. A page cannot pass Dawn's disable_workgroup_init, and SwiftShader compiles
// the zero-initialisation of a large workgroup array slowly (seconds); a storage slice is zeroed by
// the host for free. Software adapters run a few workgroups (one per CPU thread), so the slices
// stay small; the host sums them. All labels in one pass.

override WG: u32 = 256;

struct Params {
  voxelCount: u32,
  maxLabel: u32, // labels 1…maxLabel
  bins: u32, // fatHi − fatLo + 1
  fatLo: i32,
  fatHi: i32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> hu: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
// Per workgroup: [label][bin] rows for labels 0…maxLabel (row 0 unused).
@group(0) @binding(3) var<storage, read_write> histogram: array<atomic<u32>>;
// Per workgroup: voxel count per label 0…maxLabel.
@group(0) @binding(4) var<storage, read_write> labelVoxels: array<atomic<u32>>;

// huAt() comes from ../lib/hu.wgsl (prepended by fat-stats.ts).

@compute @workgroup_size(WG)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let rows = params.maxLabel + 1u;
  let histBase = wid.x * rows * params.bins;
  let countBase = wid.x * rows;
  let quads = (params.voxelCount + 3u) / 4u;
  let stride = nwg.x * WG;
  // Runs of one label are counted in a register and flushed when the label changes.
  var runLabel = 0u;
  var runCount = 0u;
  for (var q = wid.x * WG + lid; q < quads; q += stride) {
    let lw = labels[q];
    if (lw == 0u) {
      continue;
    }
    let h0 = hu[2u * q];
    let h1 = hu[2u * q + 1u];
    for (var k = 0u; k < 4u; k++) {
      let v = 4u * q + k;
      let label = (lw >> (8u * k)) & 0xffu;
      if (label == 0u || label > params.maxLabel || v >= params.voxelCount) {
        continue;
      }
      if (label != runLabel) {
        if (runCount > 0u) {
          atomicAdd(&labelVoxels[countBase + runLabel], runCount);
        }
        runLabel = label;
        runCount = 0u;
      }
      runCount += 1u;
      var word = h0;
      if (k >= 2u) {
        word = h1;
      }
      let value = huAt(word, (k & 1u) == 1u);
      if (value >= params.fatLo && value <= params.fatHi) {
        atomicAdd(&histogram[histBase + label * params.bins + u32(value - params.fatLo)], 1u);
      }
    }
  }
  if (runCount > 0u) {
    atomicAdd(&labelVoxels[countBase + runLabel], runCount);
  }
}
