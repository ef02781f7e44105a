// The label rules of the pericoronary shells (METHOD.md §4) on the merged shell state, shared by
// shell_labels.wgsl (label layers) and shell_counts.wgsl (the layers' fat histograms counted in
// place): which decisions a voxel's f32 geometry leaves to the host (and their list), and the VOI,
// ring and lesion labels of one tie and lesion layer. They read the including shader's `params`
// (lesionCount, lesionOffset, guardOn, layer, guard2, wallGap, guardBase and the entry decoding:
// cx, cy, nx, ny, nz, gx, gy, liveOffset, cellVoxels), `state`, `owner`, `guardDist`, `tables` and
// `undecided`, declared there alike. Mirrored operation for operation by shell-labels.cpu.ts.

// The owner word's overrides (NO_OWNER, the flag bits, TIE_SHIFT, BAND_MM) are owner-word.wgsl's.
override RINGS: u32;
override RING_WIDTH: f32;

// Reasons a voxel is left to the host (the `undecided` entries carry one).
override R_GEOMETRY: u32; // lumen wall or ownership tie
override R_GUARD: u32;
override R_GAP: u32;
override R_VOI: u32;
override R_RING: u32;
override R_ARC: u32; // segment or lesion end

fn sq(x: f32) -> f32 {
  return x * x;
}

fn near(x: f32, threshold: f32, band: f32) -> bool {
  return abs(x - threshold) <= band;
}

// The reason some decision for entry e (voxel v of the slab) is within its band (0: every
// decision is sure).
fn undecidedReason(e: u32, v: u32) -> u32 {
  let code = owner[e];
  let o = code & 0xffu;
  if (o == NO_OWNER) {
    return 0u;
  }
  let st = state[e];
  let r = st.z;
  let u = st.w;
  let w = sqrt(st.x) - r;
  let reach = max(2.0 * r, f32(RINGS) * RING_WIDTH);
  if (w > reach + BAND_MM + 3.0 * u) {
    return 0u;
  }
  if ((code & UNDECIDED_BIT) != 0u) {
    return R_GEOMETRY;
  }
  if ((code & LUMEN_BIT) != 0u) {
    return 0u;
  }
  if (params.guardOn != 0u && near(sqrt(bitcast<f32>(guardDist[v + params.guardBase])), sqrt(params.guard2), BAND_MM)) {
    return R_GUARD;
  }
  if (params.wallGap > 0.0 && near(w, params.wallGap, BAND_MM + u)) {
    return R_GAP;
  }
  if (near(w, 2.0 * r, BAND_MM + 3.0 * u)) {
    return R_VOI;
  }
  if (near(w, round(w / RING_WIDTH) * RING_WIDTH, BAND_MM + u)) {
    return R_RING;
  }
  if ((code & S_UNSURE_BIT) != 0u) {
    return R_ARC;
  }
  return 0u;
}

// The layer-th vessel of a tie mask (in index order), or NO_OWNER.
fn tiedVessel(ties: u32, layer: u32) -> u32 {
  var m = ties;
  for (var t = 0u; t < layer; t++) {
    m = m & (m - 1u);
  }
  if (m == 0u) {
    return NO_OWNER;
  }
  return firstTrailingBit(m);
}

// Labels (voi, ring, lesion) of entry e (voxel v of the slab), in this dispatch's tie and lesion layer.
fn labelsOf(e: u32, v: u32) -> vec3<u32> {
  let code = owner[e];
  if ((code & 0xffu) == NO_OWNER || (code & LUMEN_BIT) != 0u) {
    return vec3<u32>(0u);
  }
  let ties = code >> TIE_SHIFT;
  // The vessel whose VOI and ring labels this tie layer holds (NO_OWNER: none).
  let o = tiedVessel(ties, params.layer);
  if (params.guardOn != 0u && bitcast<f32>(guardDist[v + params.guardBase]) <= params.guard2) {
    return vec3<u32>(0u);
  }
  let st = state[e];
  let d2 = st.x;
  let s = st.y;
  let r = st.z;
  let w = sqrt(d2) - r;
  if (d2 <= sq(r + params.wallGap)) {
    return vec3<u32>(0u);
  }
  let inVoi = d2 <= sq(3.0 * r);
  var inSeg = false;
  if (o != NO_OWNER) {
    inSeg = s >= bitcast<f32>(tables[4u * o]) && s <= bitcast<f32>(tables[4u * o + 1u]);
  }
  var res = vec3<u32>(0u);
  if (inSeg && inVoi) {
    res.x = 1u + o;
  }
  let outer = f32(RINGS) * RING_WIDTH;
  if (inSeg && w <= outer + RING_WIDTH) {
    var k = max(i32(ceil(w / RING_WIDTH)) - 1, 0);
    if (k > 0 && d2 <= sq(r + f32(k) * RING_WIDTH)) {
      k -= 1;
    } else if (d2 > sq(r + f32(k + 1) * RING_WIDTH)) {
      k += 1;
    }
    let inner = sq(r + f32(k) * RING_WIDTH);
    let outerK = sq(r + f32(k + 1) * RING_WIDTH);
    if (k < i32(RINGS) && d2 > inner && d2 <= outerK) {
      res.y = 1u + o * RINGS + u32(k);
    }
  }
  if (inVoi) {
    for (var i = 0u; i < params.lesionCount; i++) {
      let l = params.lesionOffset + 8u * i;
      let start = bitcast<f32>(tables[l + 2u]);
      let end = bitcast<f32>(tables[l + 3u]);
      if (tables[l + 4u] == params.layer && ((ties >> tables[l]) & 1u) != 0u && s >= start && s <= end) {
        res.z = tables[l + 1u];
        break;
      }
    }
  }
  return res;
}

// Crop index of entry e of the chunk: its live cell (tables at liveOffset) and its place in the cell.
fn entryCropIndex(e: u32) -> u32 {
  let cellSlice = params.nx * params.ny;
  let cell = tables[params.liveOffset + e / params.cellVoxels];
  let r = e % params.cellVoxels;
  let i = (cell % params.gx) * params.nx + r % params.nx;
  let j = ((cell / params.gx) % params.gy) * params.ny + (r / params.nx) % params.ny;
  let k = (cell / (params.gx * params.gy)) * params.nz + r / cellSlice;
  return i + params.cx * (j + params.cy * k);
}

// Appends entry e (crop index c) to the list of voxels the host settles, with its reason and owner;
// past the list's room only the count grows (the host reruns the pass with room for all).
fn listUndecided(e: u32, c: u32, reason: u32) {
  let capacity = (arrayLength(&undecided) - 1u) / 2u;
  let slot = atomicAdd(&undecided[0], 1u);
  if (slot < capacity) {
    atomicStore(&undecided[1u + 2u * slot], c);
    atomicStore(&undecided[2u + 2u * slot], reason | ((owner[e] & 0xffu) << 8u));
  }
}
