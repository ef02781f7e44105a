// One axis of the exact separable Euclidean feature transform (Felzenszwalb–Huttenlocher lower
// envelope of parabolas), anisotropic. Every voxel holds the linear index of its nearest site so far
// (NONE when none); after the passes along x, y and z it holds its nearest site in the volume.
//
// For one line along the axis (spacing h), the site seen from position q is the voxel's current
// site g(q) with f(q) = |voxel(q) − g(q)|² mm². The nearest site from position t is then the g(q)
// minimising f(q) + h²(t − q)²: the lower envelope of those parabolas, built in one sweep and read
// in a second. Distances are recomputed from integer voxel coordinates, never accumulated, so each
// pass starts from exact inputs. The parabola intersection is written as (q + p)/2 + Δf / (2h²(q − p)):
// the naive ((f_q + h²q²) − (f_p + h²p²)) / … cancels catastrophically in f32.
//
// The CPU twin (feature-transform.cpu.ts) performs the same f32 operations in the same
// order, so both give the same site for every voxel.
//
// One invocation per line with a grid-stride loop over lines (few workgroups, no barriers: that is
// what SwiftShader runs fast). Each invocation keeps its envelope in its own slice of `scratch`,
// interleaved across invocations (word slot·T + tid) so neighbouring invocations touch neighbouring words.

override WG: u32 = 64;
const NONE: u32 = 0xffffffffu;

struct Params {
  nx: u32,
  ny: u32,
  nz: u32,
  axis: u32,
  sx: f32,
  sy: f32,
  sz: f32,
  _pad0: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ftIn: array<u32>;
@group(0) @binding(2) var<storage, read_write> ftOut: array<u32>;
// 3·n words per invocation: envelope positions, their f, and their left boundaries (f32 as bits).
@group(0) @binding(3) var<storage, read_write> scratch: array<u32>;

// coordsOf() and dist2() come from ../lib/grid.wgsl (prepended by the kernel module).

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let T = nwg.x * WG;
  let tid = gid.x;
  let axis = params.axis;
  var n = params.nx;
  var stride = 1u;
  var lines = params.ny * params.nz;
  var h = params.sx;
  if (axis == 1u) {
    n = params.ny;
    stride = params.nx;
    lines = params.nx * params.nz;
    h = params.sy;
  } else if (axis == 2u) {
    n = params.nz;
    stride = params.nx * params.ny;
    lines = params.nx * params.ny;
    h = params.sz;
  }
  let hh = h * h;
  let twoHh = 2.0 * hh;
  // Scratch slots: V (positions) at [0, n), F at [n, 2n), Z at [2n, 3n).
  let oF = n;
  let oZ = 2u * n;

  for (var line = tid; line < lines; line += T) {
    var base = line;
    if (axis == 0u) {
      base = line * params.nx;
    } else if (axis == 1u) {
      base = (line % params.nx) + (line / params.nx) * params.nx * params.ny;
    }
    let c0 = coordsOf(base);

    // Sweep 1: lower envelope. k = index of the top parabola, −1 when empty.
    var k = -1;
    for (var q = 0u; q < n; q++) {
      let site = ftIn[base + q * stride];
      if (site == NONE) {
        continue;
      }
      var c = c0;
      c[axis] = i32(q);
      let fq = dist2(c, coordsOf(site));
      var s = 0.0;
      loop {
        if (k < 0) {
          break;
        }
        let p = scratch[u32(k) * T + tid];
        let fp = bitcast<f32>(scratch[(oF + u32(k)) * T + tid]);
        s = 0.5 * f32(q + p) + (fq - fp) / (twoHh * f32(q - p));
        // The bottom parabola has no left boundary: it is never hidden.
        if (k == 0 || s > bitcast<f32>(scratch[(oZ + u32(k)) * T + tid])) {
          break;
        }
        k -= 1;
      }
      k += 1;
      scratch[u32(k) * T + tid] = q;
      scratch[(oF + u32(k)) * T + tid] = bitcast<u32>(fq);
      scratch[(oZ + u32(k)) * T + tid] = bitcast<u32>(s);
    }

    // Sweep 2: read the envelope; at a boundary exactly on a voxel the lower position wins.
    if (k < 0) {
      for (var t = 0u; t < n; t++) {
        ftOut[base + t * stride] = NONE;
      }
      continue;
    }
    var j = 0;
    for (var t = 0u; t < n; t++) {
      let ft = f32(t);
      while (j < k && bitcast<f32>(scratch[(oZ + u32(j + 1)) * T + tid]) < ft) {
        j += 1;
      }
      let p = scratch[u32(j) * T + tid];
      ftOut[base + t * stride] = ftIn[base + p * stride];
    }
  }
}
