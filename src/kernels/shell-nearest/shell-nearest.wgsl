// shell_nearest, four voxels per invocation (nearest-common.wgsl, prepended by shell-nearest.ts,
// holds the method, the bindings and the merge into ownership). A packet's voxels are consecutive
// entries of one live cell and read the same candidate lists, so each candidate is loaded once
// for the four: on llvmpipe the kernel takes 84 ms at 256³ against 200 ms with one voxel per
// invocation. Every adapter runs it but SwiftShader (shell-nearest-voxel.wgsl).

// The next voxel of a cell in entry order (x fastest, then y, then z).
fn nextInCell(l: vec3<u32>) -> vec3<u32> {
  if (l.x + 1u < params.nx) {
    return vec3<u32>(l.x + 1u, l.y, l.z);
  }
  if (l.y + 1u < params.ny) {
    return vec3<u32>(0u, l.y + 1u, l.z);
  }
  return vec3<u32>(0u, 0u, l.z + 1u);
}

// One invocation per packet: 4 consecutive entries of one live cell (a cell's last packet may
// reach past its V voxels; those lanes are no entry of this cell and write nothing). The voxels of
// a packet read the same candidate lists, so each candidate is loaded once for the four, and each
// voxel evaluates exactly the candidates it would alone (its own bound and stop, lane by lane).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let stride = nwg.x * WG;
  let V = params.cellVoxels;
  let cellPackets = (V + 3u) / 4u;
  let packets = (params.entries / V) * cellPackets;
  let cellSlice = params.nx * params.ny;
  let half = 0.5 * vec3<f32>(f32(params.nx - 1u), f32(params.ny - 1u), f32(params.nz - 1u));
  var evaluations = 0u;
  for (var p = gid.x; p < packets; p += stride) {
    let slotInChunk = p / cellPackets;
    let r0 = (p - slotInChunk * cellPackets) * 4u;
    let cell = tables[params.liveOffset + slotInChunk];
    let e0 = slotInChunk * V + r0;
    let ci = cell % params.gx;
    let cj = (cell / params.gx) % params.gy;
    let ck = cell / (params.gx * params.gy);
    let l0 = vec3<u32>(r0 % params.nx, (r0 / params.nx) % params.ny, r0 / cellSlice);
    let l1 = nextInCell(l0);
    let l2 = nextInCell(l1);
    let l3 = nextInCell(l2);
    let lx = vec4<u32>(l0.x, l1.x, l2.x, l3.x);
    let ly = vec4<u32>(l0.y, l1.y, l2.y, l3.y);
    let lz = vec4<u32>(l0.z, l1.z, l2.z, l3.z);
    let vi4 = vec4<u32>(ci * params.nx) + lx;
    let vj4 = vec4<u32>(cj * params.ny) + ly;
    let vk4 = vec4<u32>(ck * params.nz) + lz;
    // Lanes that are entries of this cell, and of those the voxels of the crop and slab.
    let entry = vec4<u32>(r0) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(V);
    let valid = entry & (vi4 < vec4<u32>(params.cx)) & (vj4 < vec4<u32>(params.cy)) &
                (vk4 >= vec4<u32>(params.z0)) & (vk4 < vec4<u32>(params.z1));
    let qx = (vec4<f32>(lx) - half.x) * params.sx;
    let qy = (vec4<f32>(ly) - half.y) * params.sy;
    let qz = (vec4<f32>(lz) - half.z) * params.sz;
    let qn = sqrt(qx * qx + qy * qy + qz * qz) + BOUND_SLACK_MM;
    let px = vec4<f32>(vi4) * params.sx;
    let py = vec4<f32>(vj4) * params.sy;
    let pz = vec4<f32>(vk4) * params.sz;

    var o0 = newOwn();
    var o1 = newOwn();
    var o2 = newOwn();
    var o3 = newOwn();
    if (any(valid)) {
      for (var vi = 0u; vi < params.vessels; vi++) {
        let pathStart = tables[4u * vi + 2u];
        let pathCount = tables[4u * vi + 3u];
        var best = vec4<f32>(FAR_D2);
        var bestD = vec4<f32>(FAR_D2);
        var bestG = vec4<u32>(NONE);
        var bestPart = vec4<u32>(NONE);
        var bestT = vec4<f32>(0.0);
        var bound2 = vec4<f32>(FAR_D2);
        var sLo = vec4<f32>(FAR_D2);
        var sHi = vec4<f32>(-FAR_D2);
        var rLo = vec4<f32>(FAR_D2);
        var rHi = vec4<f32>(-FAR_D2);
        var mask = vec4<u32>(0u);
        for (var q = 0u; q < pathCount; q++) {
          let part = tables[params.pathOffset + pathStart + q];
          let slot = 2u * (cell * params.parts + part);
          let first = lists[slot];
          let end = first + lists[slot + 1u];
          // The lanes still scanning this part: a lane stops at the first candidate whose distance
          // from the cell centre, less the voxel's, exceeds its best distance by more than the band.
          var scanning = valid;
          for (var m = first; m < end; m++) {
            let pl = candPlane[m];
            scanning = scanning & !(pl.w - qn > bestD + BAND_MM);
            if (!any(scanning)) {
              break;
            }
            let lb = pl.w + qx * pl.x + qy * pl.y + qz * pl.z - BOUND_SLACK_MM;
            let within = scanning & !(lb > bestD + BAND_MM);
            if (!any(within)) {
              continue;
            }
            let g = candSeg[m];
            evaluations += dot(select(vec4<u32>(0u), vec4<u32>(1u), within), vec4<u32>(1u));
            let s0 = segments[3u * g];
            let s1 = segments[3u * g + 1u];
            let vx = px - s0.x;
            let vy = py - s0.y;
            let vz = pz - s0.z;
            var t = vec4<f32>(0.0);
            if (s1.z > 0.0) {
              t = clamp((vx * s0.w + vy * s1.x + vz * s1.y) / s1.z, vec4<f32>(0.0), vec4<f32>(1.0));
            }
            let dx = vx - t * s0.w;
            let dy = vy - t * s1.x;
            let dz = vz - t * s1.y;
            let d2 = dx * dx + dy * dy + dz * dz;
            let better = within & ((d2 < best) | ((d2 == best) & (bestPart == vec4<u32>(part)) & (vec4<u32>(g) < bestG)));
            if (any(better)) {
              let dist = sqrt(d2);
              // Farther than the band from the new best: the near ties seen so far are not near ties.
              let reset = better & (dist + BAND_MM < bestD);
              sLo = select(sLo, vec4<f32>(FAR_D2), reset);
              sHi = select(sHi, vec4<f32>(-FAR_D2), reset);
              rLo = select(rLo, vec4<f32>(FAR_D2), reset);
              rHi = select(rHi, vec4<f32>(-FAR_D2), reset);
              mask = select(mask, vec4<u32>(0u), reset);
              best = select(best, d2, better);
              bestD = select(bestD, dist, better);
              bestG = select(bestG, vec4<u32>(g), better);
              bestPart = select(bestPart, vec4<u32>(part), better);
              bestT = select(bestT, t, better);
              let b = bestD + BAND_MM;
              bound2 = select(bound2, b * b, better);
            }
            let near = within & (d2 <= bound2);
            if (any(near)) {
              let s2 = segments[3u * g + 2u];
              let s = s1.w + t * s2.x;
              let r = s2.y + t * s2.z;
              sLo = select(sLo, min(sLo, s), near);
              sHi = select(sHi, max(sHi, s), near);
              rLo = select(rLo, min(rLo, r), near);
              rHi = select(rHi, max(rHi, r), near);
              mask = select(mask, mask | vec4<u32>(1u << part), near);
            }
          }
        }
        mergeVessel(&o0, vi, best.x, bestG.x, bestT.x, sLo.x, sHi.x, rLo.x, rHi.x, mask.x);
        mergeVessel(&o1, vi, best.y, bestG.y, bestT.y, sLo.y, sHi.y, rLo.y, rHi.y, mask.y);
        mergeVessel(&o2, vi, best.z, bestG.z, bestT.z, sLo.z, sHi.z, rLo.z, rHi.z, mask.z);
        mergeVessel(&o3, vi, best.w, bestG.w, bestT.w, sLo.w, sHi.w, rLo.w, rHi.w, mask.w);
      }
    }
    // A void lane (outside the crop or the slab) keeps newOwn(): no owner, zero state.
    writeVoxel(e0, o0);
    if (entry.y) {
      writeVoxel(e0 + 1u, o1);
    }
    if (entry.z) {
      writeVoxel(e0 + 2u, o2);
    }
    if (entry.w) {
      writeVoxel(e0 + 3u, o3);
    }
  }
  // One atomic per invocation (grid-stride: a few thousand invocations), no barrier: a barrier makes
  // software adapters run invocations as coroutines. A u32 holds the 10⁷–10⁸ evaluations of a crop.
  if (evaluations != 0u) {
    atomicAdd(&work[0], evaluations);
  }
}
