// Fused fat-window statistics: one pass over a z-slab of packed int16 HU and packed u8 labels.
// Per label (label 0 = ignore) it counts voxels and builds a 1 HU histogram of the HU inside the
// fat window. Counts, sums, sums of squares, min, max, median and percentiles all follow exactly
// from the histogram on the host (integer HU), so nothing here can overflow or round.
//
// Grid-stride loop with a workgroup-private histogram: few workgroups, two barriers, one flush of
// non-zero bins to global memory per workgroup. That is fast on real GPUs and on SwiftShader,
// where every workgroup is a CPU thread and many small workgroups are ruinous.

override WG: u32 = 256;
// Workgroup histogram words: LABEL_SLOTS × bins must fit here (host checks against the adapter).
override HIST_WORDS: u32 = 7728;
override LABEL_SLOTS: u32 = 48;

struct Params {
  voxelCount: u32, // voxels in this slab
  labelFirst: u32, // first label handled by this pass
  labelCount: u32, // labels handled by this pass (≤ LABEL_SLOTS)
  bins: u32, // fatHi − fatLo + 1
  fatLo: i32,
  fatHi: i32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> hu: array<u32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
// [label][bin] for every label of the request, accumulated over slabs and passes.
@group(0) @binding(3) var<storage, read_write> histogram: array<atomic<u32>>;
// Voxel count per label, same label indexing.
@group(0) @binding(4) var<storage, read_write> labelVoxels: array<atomic<u32>>;

var<workgroup> wHist: array<atomic<u32>, HIST_WORDS>;
var<workgroup> wCount: array<atomic<u32>, LABEL_SLOTS>;

// huAt() comes from ../lib/hu.wgsl (prepended by fat-stats.ts).

@compute @workgroup_size(WG)
fn main(
  @builtin(local_invocation_index) lid: u32,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let words = params.labelCount * params.bins;
  for (var b = lid; b < words; b += WG) {
    atomicStore(&wHist[b], 0u);
  }
  for (var l = lid; l < params.labelCount; l += WG) {
    atomicStore(&wCount[l], 0u);
  }
  workgroupBarrier();

  // Voxels go four at a time: one label word, two HU words.
  let quads = (params.voxelCount + 3u) / 4u;
  let stride = nwg.x * WG;
  // Runs of one label are counted in a register and flushed when the label changes, so a
  // single-label mask (EAT) costs one shared atomic per thread instead of one per voxel.
  var runSlot = 0xffffffffu;
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
      if (label == 0u || v >= params.voxelCount) {
        continue;
      }
      // Labels below labelFirst wrap to huge values and fail the range test.
      let slot = label - params.labelFirst;
      if (slot >= params.labelCount) {
        continue;
      }
      if (slot != runSlot) {
        if (runCount > 0u) {
          atomicAdd(&wCount[runSlot], runCount);
        }
        runSlot = slot;
        runCount = 0u;
      }
      runCount += 1u;
      var word = h0;
      if (k >= 2u) {
        word = h1;
      }
      let value = huAt(word, (k & 1u) == 1u);
      if (value >= params.fatLo && value <= params.fatHi) {
        atomicAdd(&wHist[slot * params.bins + u32(value - params.fatLo)], 1u);
      }
    }
  }
  if (runCount > 0u) {
    atomicAdd(&wCount[runSlot], runCount);
  }
  workgroupBarrier();

  let base = params.labelFirst * params.bins;
  for (var b = lid; b < words; b += WG) {
    let n = atomicLoad(&wHist[b]);
    if (n != 0u) {
      atomicAdd(&histogram[base + b], n);
    }
  }
  for (var l = lid; l < params.labelCount; l += WG) {
    let n = atomicLoad(&wCount[l]);
    if (n != 0u) {
      atomicAdd(&labelVoxels[params.labelFirst + l], n);
    }
  }
}
