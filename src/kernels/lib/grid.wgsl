// Voxel-grid helpers shared by the distance kernels (feature_pass.wgsl, edt_distance.wgsl). They read
// the including shader's `params` (nx, ny, sx, sy, sz): one arithmetic, so the passes and the final
// distances agree bit for bit with each other and with the CPU twins (*.cpu.ts).

fn coordsOf(v: u32) -> vec3<i32> {
  let slice = params.nx * params.ny;
  return vec3<i32>(i32(v % params.nx), i32((v / params.nx) % params.ny), i32(v / slice));
}

// Squared distance in mm² between two voxels, summed x, y, z in that order.
fn dist2(a: vec3<i32>, b: vec3<i32>) -> f32 {
  let dx = f32(a.x - b.x) * params.sx;
  let dy = f32(a.y - b.y) * params.sy;
  let dz = f32(a.z - b.z) * params.sz;
  return (dx * dx + dy * dy) + dz * dz;
}
