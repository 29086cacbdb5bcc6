#!/usr/bin/env python3
"""Writes the hand-made seed inputs of fuzz_cube (our own files; no third-party LUTs)."""
import os, sys

out = sys.argv[1] if len(sys.argv) > 1 else "corpus/fuzz_cube"
os.makedirs(out, exist_ok=True)

def rows3d(n, f=lambda r, g, b: (r, g, b)):
    s = ""
    for b in range(n):
        for g in range(n):
            for r in range(n):
                v = f(r / (n - 1), g / (n - 1), b / (n - 1))
                s += "%.6f %.6f %.6f\n" % v
    return s

def rows1d(n, f=lambda x: (x, x, x)):
    return "".join("%.6f %.6f %.6f\n" % f(i / (n - 1)) for i in range(n))

seeds = {
    "identity2.cube": 'TITLE "seed"\nLUT_3D_SIZE 2\n' + rows3d(2),
    "shaper_resolve.cube": "LUT_1D_SIZE 3\nLUT_3D_SIZE 2\nLUT_1D_INPUT_RANGE 0 1\n"
                           "LUT_3D_INPUT_RANGE -0.25 1.25\n" + rows1d(3) + rows3d(2),
    "crlf_1d.cube": ("DOMAIN_MIN 0 0 0\nDOMAIN_MAX 1 1 1\nLUT_1D_SIZE 2\n" + rows1d(2)).replace("\n", "\r\n"),
    "per_channel_domain.cube": "# per-channel domain\nDOMAIN_MIN -0.5 0 0.1\nDOMAIN_MAX 2 1.5 0.9\n"
                               "LUT_3D_SIZE 2\n" + rows3d(2, lambda r, g, b: (r * 1.2 - 1e-3, g, b * 1.5)),
    "warm3.cube": "TITLE warm unquoted title\n# comment\n\nLUT_3D_SIZE 3\n"
                  + rows3d(3, lambda r, g, b: (min(1.0, r * 1.1), g, b * 0.9)),
    "gamma1d.cube": 'TITLE "gamma"\nLUT_1D_SIZE 16\n' + rows1d(16, lambda x: (x ** 0.8, x ** 0.9, x)),
    "exp_signs.cube": "LUT_3D_SIZE 2\n\t+0e0 -0.0 .0\n1E+0 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1.5e-1\n",
    "cr_only.cube": ("LUT_1D_SIZE 2\n0 0 0\n1 1 1\n").replace("\n", "\r"),
    "shaper_shared_domain.cube": "DOMAIN_MIN -0.1 -0.1 -0.1\nDOMAIN_MAX 1.1 1.1 1.1\nLUT_1D_SIZE 4\nLUT_3D_SIZE 2\n"
                                 + rows1d(4) + rows3d(2),
}
for name, text in seeds.items():
    with open(os.path.join(out, name), "w", newline="") as f:
        f.write(text)
