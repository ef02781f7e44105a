// Start of a feature transform: every site voxel points at itself (its own linear index), every
// other voxel at nothing (NONE). Mode 0: sites are the voxels whose mask byte is non-zero; mode 1:
// those whose byte is zero (the complement, for the inside half of a signed EDT).
// Grid-stride loop: few workgroups, which SwiftShader runs one per CPU thread.

override WG: u32 = 64;
const NONE: u32 = 0xffffffffu;

struct Params {
  voxelCount: u32,
  mode: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Packed u8 mask, four voxels per word, low byte first.
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read_write> ft: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  for (var v = gid.x; v < params.voxelCount; v += stride) {
    let isSet = ((mask[v >> 2u] >> (8u * (v & 3u))) & 0xffu) != 0u;
    let site = isSet == (params.mode == 0u);
    ft[v] = select(NONE, v, site);
  }
}
