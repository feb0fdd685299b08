#!/usr/bin/env python3
"""Fixture and expected values of the VoxLogicA-2 gallery programs adapted in this folder.

Run once with Debian's python3-numpy and python3-nibabel (`/usr/bin/python3 make-expected.py`);
CI only reads what it wrote. The expected values are computed here from the definitions of
../../../../shared/IMAGES.md §4 (VoxScheduler's docs/language.md §7), with numpy, independently
of VoxScheduler's kernels:

- fixtures/phantom.nii.gz: a 12x10x8 float32 volume (spacing 1 mm) written by nibabel: a bright
  ellipsoid on a darker ramp plus integer noise from a fixed seed, so thresholds, histograms and
  percentile ties all occur.
- vox1-dot-ops.expected.json, vox1-cross-corr.expected.json: the programs' print goals.
"""
import json
import os

import nibabel as nib
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def phantom():
    rng = np.random.default_rng(20261207)
    x, y, z = np.meshgrid(np.arange(12), np.arange(10), np.arange(8), indexing="ij")
    ramp = 10.0 + 3.0 * x + 2.0 * z
    inside = ((x - 6) / 4.0) ** 2 + ((y - 5) / 3.5) ** 2 + ((z - 4) / 3.0) ** 2 <= 1.0
    data = ramp + np.where(inside, 45.0, 0.0) + rng.integers(0, 8, size=x.shape)
    return data.astype(np.float32)  # indexed [x, y, z]: NIfTI's order, x fastest on disk


def avg(image, mask=None):
    """vox1 avg: the mean over the mask, accumulated in double."""
    values = image.astype(np.float64) if mask is None else image.astype(np.float64)[mask]
    return float(values.sum() / values.size)


def cross_correlation(r, a, b, fb, m1, m2, nbins, spacing=(1.0, 1.0, 1.0)):
    """IMAGES.md §4 crossCorrelation: Pearson correlation of histograms (window of a, b over fb)."""
    m1, m2 = float(np.float32(m1)), float(np.float32(m2))  # scalars meet images in float32

    def bins(v):
        k = np.floor((v.astype(np.float64) - m1) / (m2 - m1) * nbins)
        k = np.minimum(k, nbins - 1)
        return np.where((v >= m1) & (v < m2), k, -1).astype(np.int64)

    def histogram(k):
        k = k[k >= 0]
        return np.bincount(k, minlength=nbins).astype(np.float64)

    radius = [max(1, int(np.round(r / s))) for s in spacing]  # numpy rounds half to even
    ka, g = bins(a), histogram(bins(b)[fb])
    out = np.zeros(a.shape, dtype=np.float32)
    for idx in np.ndindex(a.shape):
        window = tuple(slice(max(0, i - rr), min(n, i + rr + 1)) for i, rr, n in zip(idx, radius, a.shape))
        h = histogram(ka[window].ravel())
        h_const, g_const = np.all(h == h[0]), np.all(g == g[0])
        if h_const and g_const:
            c = 1.0
        elif h_const or g_const:
            c = 0.0
        else:
            c = np.corrcoef(h, g)[0, 1]
        out[idx] = np.float32(c)
    return out


def percentiles(i, b, k):
    """IMAGES.md §4: for v in b, (#{w in b: i(w) < i(v)} + k #{w in b: i(w) = i(v)}) / #b; -1 outside."""
    inside = np.sort(i[b])
    n = inside.size
    less = np.searchsorted(inside, i, side="left")
    equal = np.searchsorted(inside, i, side="right") - less
    p = ((less + k * equal) / n).astype(np.float32)
    return np.where(b, p, np.float32(-1.0)).astype(np.float32)


def write(name, goals, tolerance):
    with open(os.path.join(HERE, name + ".expected.json"), "w") as f:
        json.dump({"tolerance": tolerance, "goals": [{"name": n, "value": v} for n, v in goals]}, f, indent=2)
        f.write("\n")


def main():
    data = phantom()
    nib.save(nib.Nifti1Image(data, np.eye(4)), os.path.join(HERE, "fixtures", "phantom.nii.gz"))
    i = np.asarray(nib.load(os.path.join(HERE, "fixtures", "phantom.nii.gz")).dataobj).astype(np.float32)
    assert np.array_equal(i, data)

    four, two, three = np.float32(4), np.float32(2), np.float32(3)
    a = i + four
    b = four + i
    c = (a * two) / three
    write("vox1-dot-ops", [("vox1_overload_a", avg(a)), ("vox1_overload_b", avg(b)), ("vox1_overload_c", avg(c))], 1e-9)

    cc = cross_correlation(2, i, i, np.ones(i.shape, dtype=bool), i.min(), i.max(), 16)
    p = percentiles(cc, i >= np.float32(40), 0.5)
    # vox1_corr_avg is the gallery's goal; with k = 0.5 it does not depend on the correlations
    # (the mean percentile over a mask is 1/2), so the adaptation also prints c's mean.
    write("vox1-cross-corr", [("vox1_corr_avg", avg(p)), ("c_avg", avg(cc)), ("c_min", float(cc.min()))], 1e-6)


if __name__ == "__main__":
    main()
