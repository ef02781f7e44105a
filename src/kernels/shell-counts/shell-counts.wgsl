// The fat histograms of the pericoronary label layers, counted where the labels are decided: the
// same rules and the same entries as shell_labels.wgsl (../lib/shell-rules.wgsl, prepended by
// shell-counts.ts), but instead of writing u8 label layers over the whole crop's slab for
// fat_stats to read back, each labelled voxel of a live cell adds itself to its label's row of
// `counts`: its HU bin when the HU lies in the fat window, else the count of voxels outside it. So the work stays
// on the voxels of the live cells (what the CPU backend counts as it classifies) and no layer of
// the crop is cleared, written or read. Used when the caller wants no layers (every measurement
// but the page's overlays and the DICOM SEG writer, which run shell_labels + fat_stats).
// Dispatch `layer` counts tie layer `layer` and lesion layer `layer`, as shell_labels writes them;
// dispatch 0 lists the undecided voxels, which the host settles in float64 and adds. The sum over
// layers of these rows is, label for label, fat_stats over shell_labels' layers (shell-counts.cpu.ts
// is that composition, the twin the tests hold this kernel to).

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
  // The fat window's bins (fatHi − fatLo + 1) and bounds, and the first row in `counts` of the
  // VOI, ring and lesion labels (label 0's row unused).
  bins: u32,
  fatLo: i32,
  fatHi: i32,
  voiRow: u32,
  ringRow: u32,
  lesionRow: u32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Per entry of the chunk, from shell_nearest.wgsl.
@group(0) @binding(1) var<storage, read> state: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> owner: array<u32>;
// Squared distance to calcium (f32 bits), read only when guardOn.
@group(0) @binding(3) var<storage, read> guardDist: array<u32>;
// The tables of shell_nearest.wgsl (vessels, lesions at lesionOffset, live cells at liveOffset).
@group(0) @binding(4) var<storage, read> tables: array<u32>;
// The HU of each entry of the chunk (src/shells/live-cells.ts entryHu), two int16 per word (low
// half first): read in entry order, contiguous.
@group(0) @binding(5) var<storage, read> hu: array<u32>;
// Rows of 1 + bins words: the label's voxels outside the fat window, then its fat histogram
// (voiRow, ringRow, lesionRow).
@group(0) @binding(6) var<storage, read_write> counts: array<atomic<u32>>;
// [0] = count, then per voxel two words: crop index, reason | owner << 8.
@group(0) @binding(7) var<storage, read_write> undecided: array<atomic<u32>>;

// huAt() comes from ../lib/hu.wgsl (prepended by shell-counts.ts).

// One atomic per voxel and label: its HU bin in the window, else the row's count of the voxels
// outside the window (the host adds the bins to it for the label's voxels).
fn countVoxel(row: u32, value: i32) {
  let base = row * (params.bins + 1u);
  if (value >= params.fatLo && value <= params.fatHi) {
    atomicAdd(&counts[base + 1u + u32(value - params.fatLo)], 1u);
  } else {
    atomicAdd(&counts[base], 1u);
  }
}

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
    var l = labelsOf(e, v);
    if (params.layer >= params.tieLayers) {
      l.x = 0u;
      l.y = 0u;
    }
    if (params.layer >= params.lesionLayers) {
      l.z = 0u;
    }
    if (l.x == 0u && l.y == 0u && l.z == 0u) {
      continue;
    }
    let value = huAt(hu[e / 2u], (e & 1u) == 1u);
    if (l.x != 0u) {
      countVoxel(params.voiRow + l.x, value);
    }
    if (l.y != 0u) {
      countVoxel(params.ringRow + l.y, value);
    }
    if (l.z != 0u) {
      countVoxel(params.lesionRow + l.z, value);
    }
  }
}
