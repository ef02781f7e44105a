// Calcium mask of the crop for the calcium guard: HU ≥ calciumHu and outside every lumen (the
// lumen bit that shell_refine.wgsl left in the owner word). Packed u8 output, one word (four
// voxels) per iteration so no two invocations write the same word.

override WG: u32 = 64;
const LUMEN_BIT: u32 = 256u;

struct Params {
  voxelCount: u32,
  calciumHu: i32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Packed int16 HU of the crop, two voxels per word, low half first.
@group(0) @binding(1) var<storage, read> hu: array<u32>;
@group(0) @binding(2) var<storage, read> owner: array<u32>;
@group(0) @binding(3) var<storage, read_write> mask: array<u32>;

fn huAt(word: u32, high: bool) -> i32 {
  if (high) {
    return i32(word) >> 16u;
  }
  return i32(word << 16u) >> 16u;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let quads = (params.voxelCount + 3u) / 4u;
  let stride = nwg.x * WG;
  for (var q = gid.x; q < quads; q += stride) {
    var word = 0u;
    for (var k = 0u; k < 4u; k++) {
      let v = 4u * q + k;
      if (v >= params.voxelCount) {
        break;
      }
      let value = huAt(hu[v >> 1u], (v & 1u) == 1u);
      if (value >= params.calciumHu && (owner[v] & LUMEN_BIT) == 0u) {
        word = word | (1u << (8u * k));
      }
    }
    mask[q] = word;
  }
}
