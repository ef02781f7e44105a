#!/usr/bin/env bash
# On the GPU server: unpack perifat-device.tar.xz and run this. It benchmarks WebGPU (Dawn for Node on
# the GPU's Vulkan driver) against the CPU backend over 256³, 512×512×300, 512×512×600 and the bundled
# real CTA, checks that both give the same reports, refuses a software adapter (no GPU figure from
# llvmpipe or SwiftShader) and writes perifat-bench/1 JSON to $OUT (or ./results). Extra arguments go
# to `perifat bench` (e.g. --quick; PERIFAT_ALLOW_SOFTWARE=1 drops --require-hardware, for a dry run).
# Without arguments it also measures 512×512×300 with shell_nearest one voxel per invocation: hardware
# runs four by default, and the first GPU run is to say which is faster there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$here/results}
mkdir -p "$out"
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
hardware=--require-hardware
[ "${PERIFAT_ALLOW_SOFTWARE:-0}" = 1 ] && hardware=
cd "$here/perifat"
[ $# -eq 0 ] && set -- --volumes 256x256x256,512x512x300,512x512x600,slab:512x512x300,voxel:512x512x300
# What Vulkan drivers this machine offers Dawn (NVIDIA's comes with the driver's graphics libraries).
echo "Vulkan ICDs: $(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | tr '\n' ' ')" | tee "$out/vulkan.txt"
# shellcheck disable=SC2086
timeout 470 "$here/node" bin/perifat.mjs bench --runtime node --backends webgpu,cpu --check $hardware \
  --warmup 1 --repeats 3 --out "$out/bench.json" "$@" 2>&1 | grep -v '^Warning: max' | tee "$out/bench.txt"
