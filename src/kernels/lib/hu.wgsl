// Sign-extend one int16 half of a packed HU word (two voxels per u32, low half first).
fn huAt(word: u32, high: bool) -> i32 {
  if (high) {
    return i32(word) >> 16u;
  }
  return i32(word << 16u) >> 16u;
}
