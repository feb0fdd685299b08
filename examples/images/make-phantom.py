#!/usr/bin/python3
"""Makes the example's small brain-like phantom, case/flair.nii.gz (committed; CI never runs this).

    /usr/bin/python3 examples/images/make-phantom.py

An 80×80×50 FLAIR-like volume, 1.5 mm voxels, stored as uint8 (load gives a number image): a dark
background, an ellipsoid "head" of intensity ~100 with a darker rim (~60), a bright "lesion" of
~200 with a hyperintense core of ~235, and a little texture noise. Needs Debian's python3-numpy and
python3-nibabel (bench/setup-images.sh installs them).
"""
import os

import nibabel as nib
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NX, NY, NZ = 80, 80, 50
SPACING = 1.5


def main():
    rng = np.random.default_rng(7)
    z, y, x = np.meshgrid(np.arange(NZ), np.arange(NY), np.arange(NX), indexing="ij")
    r = np.sqrt(((x - 39.5) / 34) ** 2 + ((y - 39.5) / 37) ** 2 + ((z - 24.5) / 22) ** 2)
    volume = np.where(r < 1, np.where(r >= 0.88, 60.0, 100.0), 4.0)
    lesion = np.sqrt((x - 50) ** 2 + (y - 30) ** 2 + ((z - 26) * 1.2) ** 2)
    volume = np.where(lesion < 9, 200.0, volume)
    volume = np.where(lesion < 4, 235.0, volume)
    volume += np.where(r < 1, rng.normal(0, 3, volume.shape), rng.normal(0, 1, volume.shape))
    volume = np.clip(np.rint(volume), 0, 255).astype(np.uint8)
    image = nib.Nifti1Image(np.ascontiguousarray(volume.transpose()), np.diag([SPACING] * 3 + [1.0]))
    image.header.set_zooms((SPACING,) * 3)
    image.set_data_dtype(np.uint8)
    os.makedirs(os.path.join(HERE, "case"), exist_ok=True)
    nib.save(image, os.path.join(HERE, "case", "flair.nii.gz"))


if __name__ == "__main__":
    main()
