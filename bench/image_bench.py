#!/usr/bin/python3
"""The Debian peers of the `image` benchmark mode (BENCHMARKS.md §5), run by VoxScheduler.Bench
image in the same run on the very same voxels: numpy for the voxel-wise primitives, scipy.ndimage
for near/interior/lcc/through/maxvol/dt, scipy.stats.rankdata for percentiles, nibabel for NIfTI
(.nii.gz) write and read. Each line: {"engine", "primitive", "volume", "size", "ms", "voxels_per_s"},
the median of --repeat runs after a warm-up. With --parts segmentation (first, so its peak RSS is
its own), the whole segmentation pipeline of ImagePipeline.cs written with nibabel, numpy and
scipy.ndimage, step for step as the vox1 standard library defines it (IMAGES.md §4-5): one line
{"engine", "pipeline", "ms", "value" (the lesion's voxel count), "peak_rss_mb"}, the median of
--pipeline-repeat runs, each from loading the .nii.gz. Install the peers with bench/setup-images.sh.
"""
import argparse
import json
import os
import statistics
import time

from peak_rss import peak_rss_mb  # this folder: the scripts run by path

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
    ap.add_argument("--parts", default="kernels")
    ap.add_argument("--pipeline-repeat", type=int, default=1)
    a = ap.parse_args()
    parts = set(a.parts.split(","))
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

    if "segmentation" in parts:
        path = os.path.join(a.work, "flair-nibabel.nii.gz")
        nib.save(nib.Nifti1Image(np.ascontiguousarray(phantom.transpose()), np.eye(4)), path)
        times, value = [], None
        for _ in range(max(1, a.pipeline_repeat)):
            t = time.perf_counter()
            value = segment(path, box)
            times.append(time.perf_counter() - t)
        print(json.dumps({"engine": "numpy+scipy", "pipeline": "segmentation", "size": [nx, ny, nz],
                          "ms": round(statistics.median(times) * 1000, 1), "value": value,
                          "peak_rss_mb": peak_rss_mb()}), flush=True)
    if "kernels" not in parts:
        return

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
    emit("numpy", "or", "phantom", lambda: np.logical_or(a40, a150, out=out_b))
    emit("numpy", "not", "phantom", lambda: np.logical_not(a40, out=out_b))
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


# The segmentation of ImagePipeline.cs, step for step as vox1's primitives and standard library
# define it (IMAGES.md §4-5), on (z, y, x) arrays with spacing 1:
#   brain(flair) = !touch(20 .>= flair, border)
#   pflair(flair) = percentiles(flair, brain(flair), 0)
#   hyper(flair) = smoothen(180 .<= flair, 2.0) & (0.5 .<= pflair(flair))
#   very(flair) = smoothen(150 .<= flair, 1.0)
#   similar(flair) = 0.3 .<= ~(flair, flair, 3, 20)
#   lesion(flair) = grow(hyper(flair), very(flair)) & similar(flair)
#   segment(f) = volume(lesion(intensity(load(f))))
def segment(path, box):
    flair = np.ascontiguousarray(nib.load(path).get_fdata(dtype=np.float32).transpose())
    shape = flair.shape

    def near(a):
        return ndimage.binary_dilation(a, structure=box)

    def through(a, b):  # voxels of b whose 26-connected component in b holds a voxel of a
        labels, count = ndimage.label(b, structure=box)
        touched = np.zeros(count + 1, dtype=bool)
        touched[labels[a & b]] = True
        touched[0] = False
        return touched[labels]

    def touch(a, b):  # a ~> N(b)
        return through(near(b), a)

    def pdt(x):  # mask(dt(x), dt(x) >. 0): outside x its distance to x; an empty x is infinitely far
        if not x.any():
            return np.full(shape, np.inf)
        return ndimage.distance_transform_edt(~x)

    def smoothen(a, d):  # distleq(d, distgeq(d, !a)) = pdt(pdt(!a) >= d) <= d
        return pdt(pdt(~a) >= d) <= d

    border = np.ones(shape, dtype=bool)
    border[1:-1, 1:-1, 1:-1] = False
    brain = ~touch(flair <= 20, border)

    # percentiles(flair, brain, 0): #{w in brain : flair(w) < flair(v)} / #brain, -1 outside
    values = flair[brain]
    less = np.searchsorted(np.sort(values), values, side="left")
    pflair = np.full(shape, -1.0, dtype=np.float32)
    pflair[brain] = (less / values.size).astype(np.float32)

    hyper = smoothen(flair >= 180, 2.0) & (pflair >= np.float32(0.5))
    very = smoothen(flair >= 150, 1.0)

    # ~(flair, flair, 3, 20) = crossCorrelation(3, flair, flair, tt, min, max, 20): per voxel, the
    # Pearson correlation of the 20-bin histogram over the 7x7x7 window (clipped at the edge)
    # with the whole image's; values >= max are in no bin. Σh, Σh², Σh·g accumulated bin by bin.
    m1, m2, nbins = float(flair.min()), float(flair.max()), 20
    inside = (flair >= m1) & (flair < m2)
    bins = np.full(shape, -1, dtype=np.int16)
    bins[inside] = np.minimum(np.floor((flair[inside].astype(np.float64) - m1) / (m2 - m1) * nbins), nbins - 1).astype(np.int16)
    g = np.bincount(bins[inside], minlength=nbins).astype(np.int64)
    g1, var_gn = int(g.sum()), float(nbins * int((g * g).sum()) - int(g.sum()) ** 2)
    s1 = np.zeros(shape, dtype=np.int64)
    s2 = np.zeros(shape, dtype=np.int64)
    shg = np.zeros(shape, dtype=np.int64)
    for k in range(nbins):
        h = np.rint(ndimage.uniform_filter((bins == k).astype(np.float64), size=7, mode="constant") * 343).astype(np.int64)
        s1 += h
        s2 += h * h
        shg += h * int(g[k])
    var_hn = (nbins * s2 - s1 * s1).astype(np.float64)
    cov_n = (nbins * shg - s1 * g1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = (cov_n / np.sqrt(var_hn * var_gn)).astype(np.float32)
    if var_gn == 0:
        corr = np.where(var_hn == 0, np.float32(1), np.float32(0))
    else:
        corr[var_hn == 0] = 0
    similar = corr >= np.float32(0.3)

    grown = hyper | touch(very, hyper)  # grow(hyper, very) = hyper | touch(very, hyper)
    return int((grown & similar).sum())


if __name__ == "__main__":
    main()
