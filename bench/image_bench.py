#!/usr/bin/python3
"""The Debian peers of the `image` benchmark mode (BENCHMARKS.md §5), run by VoxScheduler.Bench
image in the same run on the very same voxels: numpy for the voxel-wise primitives, scipy.ndimage
for near/interior/lcc/through/maxvol/dt, scipy.stats.rankdata for percentiles, nibabel for NIfTI
(.nii.gz) write and read. Each line: {"engine", "primitive", "volume", "size", "ms", "voxels_per_s"},
the median of --repeat runs after a warm-up. Install the peers with bench/setup-images.sh.
"""
import argparse
import json
import os
import statistics
import time

import nibabel as nib
import numpy as np
from scipy import ndimage, stats


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--phantom", required=True)
    ap.add_argument("--noise", required=True)
    ap.add_argument("--size", required=True)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--work", required=True)
    ap.add_argument("--primitives")
    a = ap.parse_args()
    nx, ny, nz = (int(s) for s in a.size.split("x"))
    shape = (nz, ny, nx)  # C order (z, y, x): x fastest, as our buffers
    phantom = np.fromfile(a.phantom, dtype=np.float32).reshape(shape)
    noise = np.fromfile(a.noise, dtype=np.uint8).reshape(shape).astype(bool)
    only = set(a.primitives.split(",")) if a.primitives else None
    a40 = phantom >= 40
    a150 = phantom >= 150
    box = np.ones((3, 3, 3), dtype=bool)
    out_b = np.empty(shape, dtype=bool)
    out_f = np.empty(shape, dtype=np.float32)
    n = phantom.size

    def emit(engine, primitive, volume, fn):
        if only is not None and primitive not in only:
            return
        fn()
        times = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        ms = statistics.median(times)
        print(json.dumps({"engine": engine, "primitive": primitive, "volume": volume, "size": [nx, ny, nz],
                          "ms": round(ms, 2), "voxels_per_s": round(n / (ms / 1000))}), flush=True)

    def through(seeds, mask):
        labels, count = ndimage.label(mask, structure=box)
        touched = np.bincount(labels[seeds], minlength=count + 1) > 0
        touched[0] = False
        return touched[labels]

    def maxvol(mask):
        labels, count = ndimage.label(mask, structure=box)
        if count == 0:
            return np.zeros(shape, dtype=bool)
        sizes = np.bincount(labels.ravel())
        sizes[0] = 0
        return sizes[labels] == sizes.max()

    def dt(mask):
        interior = ndimage.binary_erosion(mask, structure=box, border_value=1)
        contour = mask & ~interior
        outside = ndimage.distance_transform_edt(~mask)
        inside = ndimage.distance_transform_edt(~contour)
        return np.where(mask, -inside, outside).astype(np.float32)

    def percentiles(image, mask, k=0.5):
        values = image[mask]
        # average rank r of a value = #less + (#equal + 1) / 2, so #less + k #equal = r - 1/2 for k = 1/2
        ranks = stats.rankdata(values, method="average")
        result = np.full(shape, -1.0, dtype=np.float32)
        result[mask] = (ranks - 0.5) / values.size
        return result

    emit("numpy", "and", "phantom", lambda: np.logical_and(a40, a150, out=out_b))
    emit("numpy", "geq_sv", "phantom", lambda: np.greater_equal(phantom, np.float32(40), out=out_b))
    emit("numpy", "mask", "phantom", lambda: np.multiply(phantom, a40, out=out_f))
    emit("numpy", "+", "phantom", lambda: np.add(phantom, phantom, out=out_f))
    for volume, mask, seeds in (("phantom", a40, a150), ("noise", noise, noise & a150)):
        emit("scipy.ndimage", "near", volume, lambda: ndimage.binary_dilation(mask, structure=box, output=out_b))
        emit("scipy.ndimage", "interior", volume, lambda: ndimage.binary_erosion(mask, structure=box, border_value=1, output=out_b))
        emit("scipy.ndimage", "lcc", volume, lambda: ndimage.label(mask, structure=box))
        emit("scipy.ndimage", "through", volume, lambda: through(seeds, mask))
        emit("scipy.ndimage", "maxvol", volume, lambda: maxvol(mask))
        emit("scipy.ndimage", "dt", volume, lambda: dt(mask))
    emit("scipy.stats", "percentiles", "phantom", lambda: percentiles(phantom, a40))

    path = os.path.join(a.work, "phantom-nibabel.nii.gz")
    img = nib.Nifti1Image(np.ascontiguousarray(phantom.transpose()), np.eye(4))
    emit("nibabel", "nifti_write", "phantom", lambda: nib.save(img, path))
    emit("nibabel", "nifti_read", "phantom", lambda: nib.load(path).get_fdata(dtype=np.float32))


if __name__ == "__main__":
    main()
