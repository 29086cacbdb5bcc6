#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz_3dl: small Autodesk/Lustre .3dl files."""
import os, sys

out = sys.argv[1] if len(sys.argv) > 1 else "corpus/fuzz_3dl"
os.makedirs(out, exist_ok=True)

def lattice(n, bits, f=lambda r, g, b: (r, g, b), shaper_bits=10):
    top, stop = (1 << bits) - 1, (1 << shaper_bits) - 1
    s = " ".join(str(round(i * stop / (n - 1))) for i in range(n)) + "\n"
    for r in range(n):          # .3dl: blue varies fastest
        for g in range(n):
            for b in range(n):
                v = f(r / (n - 1), g / (n - 1), b / (n - 1))
                s += "%d %d %d\n" % tuple(round(min(1, max(0, c)) * top) for c in v)
    return s

seeds = {
    # OCIO 2.1 rejects lattices below 5 points (its bit-depth guess needs them).
    "identity5_12bit.3dl": lattice(5, 12),
    "warm9_12bit.3dl": lattice(9, 12, lambda r, g, b: (r * 1.0, g * 0.95, b * 0.85)),
    "small2_rejected.3dl": lattice(2, 12),
    "lustre5_10bit.3dl": "3DMESH\nMesh 3 10\n" + lattice(5, 10, lambda r, g, b: (r ** 0.9, g, b ** 1.1)),
    "lustre_comments.3dl": "# made by hand\n3DMESH\nMesh 2 12\n" + lattice(5, 12) + "\nLUT8\ngamma 1.0\n",
    "shaper_only.3dl": "0 64 128 256 512 1023\n",
}
for name, text in seeds.items():
    with open(os.path.join(out, name), "w") as f:
        f.write(text)
