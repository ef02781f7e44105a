// shell_nearest, one voxel per invocation, for SwiftShader (nearest-common.wgsl, prepended by
// shell-nearest.ts, holds the method, the bindings and the merge into ownership). SwiftShader
// emulates the invocations' SIMD lanes on the CPU and runs a packet's vector arithmetic
// (shell-nearest.wgsl) component by component, which costs more than the shared loads save: at
// 256³ the packet kernel takes 1.23 s there against 0.74 s for this one (and four voxels held in
// per-lane structs, without vectors, 1.91 s).

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  let cellSlice = params.nx * params.ny;
  var evaluations = 0u;
  // Adjacent invocations take adjacent voxels of one cell: they read the same candidate lists.
  for (var e = gid.x; e < params.entries; e += stride) {
    let cell = tables[params.liveOffset + e / params.cellVoxels];
    let r = e % params.cellVoxels;
    let ci = cell % params.gx;
    let cj = (cell / params.gx) % params.gy;
    let ck = cell / (params.gx * params.gy);
    let i = ci * params.nx + r % params.nx;
    let j = cj * params.ny + (r / params.nx) % params.ny;
    let k = ck * params.nz + r / cellSlice;
    if (i >= params.cx || j >= params.cy || k < params.z0 || k >= params.z1) {
      state[e] = vec4<f32>(0.0);
      owner[e] = NO_OWNER;
      continue;
    }
    let qx = (f32(i - ci * params.nx) - 0.5 * f32(params.nx - 1u)) * params.sx;
    let qy = (f32(j - cj * params.ny) - 0.5 * f32(params.ny - 1u)) * params.sy;
    let qz = (f32(k - ck * params.nz) - 0.5 * f32(params.nz - 1u)) * params.sz;
    let qn = sqrt(qx * qx + qy * qy + qz * qz) + BOUND_SLACK_MM;
    let px = f32(i) * params.sx;
    let py = f32(j) * params.sy;
    let pz = f32(k) * params.sz;

    var own = newOwn();
    for (var vi = 0u; vi < params.vessels; vi++) {
      let pathStart = tables[4u * vi + 2u];
      let pathCount = tables[4u * vi + 3u];
      var best = FAR_D2;
      var bestD = FAR_D2;
      var bestG = NONE;
      var bestPart = NONE;
      var bestT = 0.0;
      var bound2 = FAR_D2;
      var sLo = FAR_D2;
      var sHi = -FAR_D2;
      var rLo = FAR_D2;
      var rHi = -FAR_D2;
      var mask = 0u;
      for (var q = 0u; q < pathCount; q++) {
        let part = tables[params.pathOffset + pathStart + q];
        let slot = 2u * (cell * params.parts + part);
        let first = lists[slot];
        let end = first + lists[slot + 1u];
        for (var m = first; m < end; m++) {
          var pl = candPlane[m];
          if (pl.w - qn > bestD + BAND_MM) {
            break;
          }
          var lb = pl.w + qx * pl.x + qy * pl.y + qz * pl.z - BOUND_SLACK_MM;
          // Lanes in lockstep (SwiftShader's SIMD emulation): scan on to the next candidate whose
          // bound passes before evaluating, so the evaluation runs once per candidate some lane
          // evaluates in turn, not once per candidate of the list (the same candidates, in the same
          // order).
          while (lb > bestD + BAND_MM) {
            m++;
            if (m >= end) {
              break;
            }
            pl = candPlane[m];
            if (pl.w - qn > bestD + BAND_MM) {
              m = end;
              break;
            }
            lb = pl.w + qx * pl.x + qy * pl.y + qz * pl.z - BOUND_SLACK_MM;
          }
          if (m >= end) {
            break;
          }
          let g = candSeg[m];
          evaluations += 1u;
          let s0 = segments[3u * g];
          let s1 = segments[3u * g + 1u];
          let s2 = segments[3u * g + 2u];
          let vx = px - s0.x;
          let vy = py - s0.y;
          let vz = pz - s0.z;
          var t = 0.0;
          if (s1.z > 0.0) {
            t = clamp((vx * s0.w + vy * s1.x + vz * s1.y) / s1.z, 0.0, 1.0);
          }
          let dx = vx - t * s0.w;
          let dy = vy - t * s1.x;
          let dz = vz - t * s1.y;
          let d2 = dx * dx + dy * dy + dz * dz;
          if (d2 < best || (d2 == best && part == bestPart && g < bestG)) {
            let dist = sqrt(d2);
            // Farther than the band from the new best: the near ties seen so far are not near ties.
            if (dist + BAND_MM < bestD) {
              sLo = FAR_D2;
              sHi = -FAR_D2;
              rLo = FAR_D2;
              rHi = -FAR_D2;
              mask = 0u;
            }
            best = d2;
            bestD = dist;
            bestG = g;
            bestPart = part;
            bestT = t;
            let b = bestD + BAND_MM;
            bound2 = b * b;
          }
          if (d2 <= bound2) {
            let s = s1.w + t * s2.x;
            let r = s2.y + t * s2.z;
            sLo = min(sLo, s);
            sHi = max(sHi, s);
            rLo = min(rLo, r);
            rHi = max(rHi, r);
            mask = mask | (1u << part);
          }
        }
      }
      mergeVessel(&own, vi, best, bestG, bestT, sLo, sHi, rLo, rHi, mask);
    }
    writeVoxel(e, own);
  }
  // One atomic per invocation (grid-stride: a few thousand invocations), no barrier: a barrier makes
  // software adapters run invocations as coroutines. A u32 holds the 10⁷–10⁸ evaluations of a crop.
  if (evaluations != 0u) {
    atomicAdd(&work[0], evaluations);
  }
}
