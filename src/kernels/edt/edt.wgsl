// Squared Euclidean distances (mm²) from a finished feature transform. Mode 0 (outside / unsigned):
// every voxel gets |v − site|², or +∞ when there is no site. Mode 1 (inside half of a signed EDT):
// only voxels whose mask byte is set are written, with −|v − site|² where the sites are the
// background voxels, or −∞ when there is none. Distances are written as f32 bit patterns into a u32
// array so that the ±∞ sentinels never enter shader arithmetic.

override WG: u32 = 64;
const NONE: u32 = 0xffffffffu;
const POS_INF: u32 = 0x7f800000u;
const NEG_INF: u32 = 0xff800000u;

struct Params {
  nx: u32,
  ny: u32,
  nz: u32,
  mode: u32,
  sx: f32,
  sy: f32,
  sz: f32,
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ft: array<u32>;
@group(0) @binding(2) var<storage, read> mask: array<u32>;
@group(0) @binding(3) var<storage, read_write> dist: array<u32>;

// coordsOf() and dist2() come from ../lib/grid.wgsl (prepended by the kernel module).

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let count = params.nx * params.ny * params.nz;
  let stride = nwg.x * WG;
  for (var v = gid.x; v < count; v += stride) {
    let site = ft[v];
    if (params.mode == 0u) {
      if (site == NONE) {
        dist[v] = POS_INF;
      } else {
        dist[v] = bitcast<u32>(dist2(coordsOf(v), coordsOf(site)));
      }
    } else {
      let isSet = ((mask[v >> 2u] >> (8u * (v & 3u))) & 0xffu) != 0u;
      if (isSet) {
        if (site == NONE) {
          dist[v] = NEG_INF;
        } else {
          dist[v] = bitcast<u32>(-dist2(coordsOf(v), coordsOf(site)));
        }
      }
    }
  }
}
