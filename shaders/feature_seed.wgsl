// Scatter centerline seeds into a feature transform that feature_init.wgsl cleared: the voxel of
// each seed becomes a site pointing at itself. Seeds are unique voxels (the host deduplicates), so
// no two invocations write the same word.

override WG: u32 = 64;

struct Params {
  seedCount: u32,
  // u32 words per seed record; the voxel index is the first.
  seedWords: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> seeds: array<u32>;
@group(0) @binding(2) var<storage, read_write> ft: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  for (var i = gid.x; i < params.seedCount; i += stride) {
    let v = seeds[i * params.seedWords];
    ft[v] = v;
  }
}
