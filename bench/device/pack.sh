#!/usr/bin/env bash
# Packs everything the GPU benchmark needs on a server that has an NVIDIA GPU and nothing else (a CUDA
# image: no Node, no Chromium, no network) into bench/device/out/perifat-device.tar.xz, at most 64 MiB:
# this machine's Node binary, perifat as installed (dist/, bin/, its production dependencies), Dawn for
# Node (npm webgpu, linux-x64 only), the Vulkan loader, the bundled real CTA case, and run.sh.
# Run here, where the registry is reachable; bench/device/run.sh runs there (README: "GPU benchmark").
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
out=bench/device/out
stage=$out/perifat-device
rm -rf "$out"
mkdir -p "$stage/lib" "$stage/perifat"

npm run build >/dev/null
cp -r package.json bin dist "$stage/perifat/"
rm -rf "$stage/perifat/dist/test-page" "$stage/perifat/dist/types"
find "$stage/perifat/dist" -name '*.map' -delete
# The production dependencies as npm installs them for a user (no dev tools, no browser driver).
(cd "$stage/perifat" && npm install --omit=dev --omit=optional --omit=peer --ignore-scripts --no-audit --no-fund \
  --no-package-lock >/dev/null)
# Dawn for Node: its linux-x64 binary only.
dawn=$stage/perifat/node_modules/webgpu
mkdir -p "$dawn/dist/linux-x64"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$dawn/"
cp node_modules/webgpu/dist/linux-x64/dawn.node "$dawn/dist/linux-x64/"
# Node itself, and the Vulkan loader Dawn opens (the GPU's own Vulkan driver comes with its NVIDIA driver).
cp "$(readlink -f "$(command -v node)")" "$stage/node"
cp "$(ldconfig -p | awk '/libvulkan.so.1 /{print $NF; exit}')" "$stage/lib/libvulkan.so.1"
# The bundled real CTA case (TotalSegmentator test data) and the data it reads.
mkdir -p "$stage/perifat/cases" "$stage/shared/data"
cp cases/totalseg-chest-cta.json "$stage/perifat/cases/"
cp -r "$root/../shared/data/real-cta" "$stage/shared/data/"
cp bench/device/run.sh "$stage/"

tar -C "$out" -cf - perifat-device | xz -T2 -6 >"$out/perifat-device.tar.xz"
size=$(stat -c %s "$out/perifat-device.tar.xz")
echo "bench/device/out/perifat-device.tar.xz: $((size / 1024 / 1024)) MiB"
if [ "$size" -gt $((64 * 1024 * 1024)) ]; then
  echo "over 64 MiB" >&2
  exit 1
fi
