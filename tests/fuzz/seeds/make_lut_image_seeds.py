#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz_lut_image (format in fuzz_lut_image.cpp)."""
import os, struct, sys

out = sys.argv[1] if len(sys.argv) > 1 else "corpus/fuzz_lut_image"
os.makedirs(out, exist_ok=True)

def seed(w, h, channels, mode, patches=()):
    b = bytes([w, h, (channels - 1) | (mode << 2)])
    for index, value in patches:
        b += struct.pack("<Hf", index, value)
    return b

seeds = {
    "hald2_rgb": seed(8, 8, 3, 1),
    "hald2_rgba": seed(8, 8, 4, 1),
    "hald3": seed(27, 27, 3, 1),
    "hstrip2": seed(4, 2, 3, 2),
    "hstrip4": seed(16, 4, 3, 2),
    "hstrip8": seed(64, 8, 3, 2),
    "vstrip3": seed(3, 9, 3, 3),
    "zeros_tiles": seed(8, 8, 3, 0),
    "grey": seed(8, 8, 1, 1),
    "nan_patch": seed(8, 8, 3, 1, [(5, float("nan"))]),
    "inf_patch": seed(4, 2, 3, 2, [(0, float("inf")), (7, -1e30)]),
    "not_a_size": seed(10, 7, 3, 0, [(3, 0.5)]),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
