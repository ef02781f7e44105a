#!/usr/bin/env python3
"""Independent baseline for the whole-case benchmark: pericoronary FAI and EAT the way plain
Python tools do it (e.g. MolloiLab/PCAT): rasterise each centerline, take scipy's exact Euclidean
distance transform with its feature transform (nearest centerline voxel) in a crop around the
vessels, read s and r of that voxel's centerline sample, w = d - r, ownership by smallest w, then
VOI 0 < w <= 2r and 1 mm rings inside each vessel's segment. The nearest *rasterised sample*
stands in for the nearest point of the polyline, so it is approximate (a fraction of a voxel in d,
which moves boundary voxels); perifat computes the float64 definition of METHOD.md.

Only numpy and scipy (Debian python3-scipy). Reads perifat's phantom files:
    pcat_scipy.py CT.nii.gz PERICARDIUM.nii.gz VESSELS.json [--segments RCA=10:50,LAD=0:40,LCx=0:40]
Prints one JSON object: wall time per stage, EAT and per-vessel FAI, VOI voxels, fat voxels.
"""
import gzip
import json
import struct
import sys
import time

import numpy as np
from scipy import ndimage

T0 = time.perf_counter()
FAT = (-190, -30)
RINGS = 20
DEFAULT_SEGMENTS = {"rca": (10.0, 50.0), "lad": (0.0, 40.0), "lcx": (0.0, 40.0)}
DTYPES = {2: np.uint8, 4: np.int16, 8: np.int32, 16: np.float32, 64: np.float64, 256: np.int8, 512: np.uint16}


def read_nifti(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    dim = struct.unpack_from("<8h", raw, 40)
    datatype = struct.unpack_from("<h", raw, 70)[0]
    vox_offset = int(struct.unpack_from("<f", raw, 108)[0])
    slope, inter = struct.unpack_from("<2f", raw, 112)
    srow = np.array(struct.unpack_from("<12f", raw, 280), dtype=np.float64).reshape(3, 4)
    nx, ny, nz = dim[1], dim[2], dim[3]
    data = np.frombuffer(raw, dtype=DTYPES[datatype], count=nx * ny * nz, offset=vox_offset)
    vol = data.reshape((nz, ny, nx))  # k, j, i
    if slope not in (0.0, 1.0) or inter != 0.0:
        vol = np.rint(vol * slope + inter).astype(np.int16)
    # NIfTI world is RAS; centerlines are LPS.
    lps = np.diag([-1.0, -1.0, 1.0]) @ srow
    return vol, lps


def main():
    ct_path, mask_path, vessels_path = sys.argv[1:4]
    segments = dict(DEFAULT_SEGMENTS)
    for a in sys.argv[4:]:
        if a.startswith("--segments="):
            for item in a.split("=", 1)[1].split(","):
                name, rng = item.split("=")
                lo, hi = rng.split(":")
                segments[name.lower()] = (float(lo), float(hi))
    t = {}
    s0 = time.perf_counter()
    ct, affine = read_nifti(ct_path)
    mask, _ = read_nifti(mask_path)
    doc = json.load(open(vessels_path))
    t["load"] = time.perf_counter() - s0

    s0 = time.perf_counter()
    fat = (ct >= FAT[0]) & (ct <= FAT[1])
    eat_vals = ct[fat & (mask != 0)].astype(np.float64)
    spacing = np.linalg.norm(affine[:, :3], axis=0)  # i, j, k
    voxel_ml = float(np.prod(spacing)) / 1000.0
    eat = {"volumeMl": eat_vals.size * voxel_ml, "meanHu": float(eat_vals.mean()) if eat_vals.size else None,
           "fatVoxels": int(eat_vals.size)}
    t["eat"] = time.perf_counter() - s0

    s0 = time.perf_counter()
    inv = np.linalg.inv(np.vstack([affine, [0, 0, 0, 1]]))
    vessels = []
    for v in doc["vessels"]:
        pts = np.asarray(v["points"], dtype=np.float64)
        radii = np.asarray(v["radii"], dtype=np.float64)
        seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        arc = np.concatenate([[0.0], np.cumsum(seg)])
        # Dense samples along the polyline (every 0.1 mm), in voxel coordinates.
        n = np.maximum(1, np.ceil(seg / 0.1)).astype(int)
        samples, s_arc, s_rad = [], [], []
        for g in range(len(seg)):
            f = np.arange(n[g]) / n[g]
            samples.append(pts[g] + f[:, None] * (pts[g + 1] - pts[g]))
            s_arc.append(arc[g] + f * seg[g])
            s_rad.append(radii[g] + f * (radii[g + 1] - radii[g]))
        samples.append(pts[-1:])
        s_arc.append(arc[-1:])
        s_rad.append(radii[-1:])
        world = np.concatenate(samples)
        ijk = (inv[:3, :3] @ world.T).T + inv[:3, 3]
        vessels.append({"name": v["name"], "ijk": np.rint(ijk).astype(int), "arc": np.concatenate(s_arc),
                        "rad": np.concatenate(s_rad), "rmax": float(radii.max()), "length": float(arc[-1])})
    wmax = max(20.0, 2 * max(v["rmax"] for v in vessels))
    margin = wmax + max(v["rmax"] for v in vessels) + 1
    all_ijk = np.concatenate([v["ijk"] for v in vessels])
    m = np.ceil(margin / spacing).astype(int)
    lo = np.maximum(all_ijk.min(axis=0) - m, 0)
    hi = np.minimum(all_ijk.max(axis=0) + m + 1, np.array(ct.shape[::-1]))
    crop = (slice(lo[2], hi[2]), slice(lo[1], hi[1]), slice(lo[0], hi[0]))
    shape = tuple(int(x) for x in (hi - lo)[::-1])
    sampling = spacing[::-1]  # k, j, i
    best_w = np.full(shape, np.inf)
    owner = np.full(shape, -1, dtype=np.int16)
    lumen = np.zeros(shape, dtype=bool)
    best_s = np.zeros(shape)
    best_r = np.zeros(shape)
    for vi, v in enumerate(vessels):
        local = v["ijk"] - lo
        ok = np.all((local >= 0) & (local < (hi - lo)), axis=1)
        local, arc, rad = local[ok], v["arc"][ok], v["rad"][ok]
        site = np.full(shape, -1, dtype=np.int64)
        site[local[:, 2], local[:, 1], local[:, 0]] = np.arange(len(local))
        d, idx = ndimage.distance_transform_edt(site < 0, sampling=sampling, return_indices=True)
        nearest = site[idx[0], idx[1], idx[2]]
        s = arc[nearest]
        r = rad[nearest]
        w = d - r
        lumen |= w <= 0
        take = w < best_w
        best_w[take] = w[take]
        owner[take] = vi
        best_s[take] = s[take]
        best_r[take] = r[take]
    t["shells"] = time.perf_counter() - s0

    s0 = time.perf_counter()
    hu = ct[crop]
    is_fat = (hu >= FAT[0]) & (hu <= FAT[1])
    out = []
    for vi, v in enumerate(vessels):
        seg_lo, seg_hi = segments.get(v["name"].lower(), (0.0, v["length"]))
        mine = (owner == vi) & ~lumen & (best_w > 0) & (best_s >= seg_lo) & (best_s <= seg_hi)
        voi = mine & (best_w <= 2 * best_r)
        vals = hu[voi & is_fat].astype(np.float64)
        ring_idx = np.ceil(best_w[mine & is_fat]) - 1
        ring_vals = hu[mine & is_fat].astype(np.float64)
        rings = []
        for k in range(RINGS):
            sel = ring_vals[ring_idx == k]
            rings.append(float(sel.mean()) if sel.size else None)
        out.append({"name": v["name"], "faiHu": float(vals.mean()) if vals.size else None,
                    "voiVoxels": int(voi.sum()), "fatVoxels": int(vals.size), "rings": rings})
    t["stats"] = time.perf_counter() - s0
    t["total"] = time.perf_counter() - T0
    print(json.dumps({"baseline": "scipy-edt-feature-transform", "cropVoxels": int(np.prod(shape)),
                      "timingsS": t, "eat": eat, "vessels": out}))


if __name__ == "__main__":
    main()
