#!/usr/bin/python3
"""Simulated INT8 weights (issue 20, the design's equations 34-36) for autograde's weight files.

Every weight tensor (matrices, the generator's basis, position tables; not biases, norms or
input statistics) is quantized per tensor with an affine map onto int8, then dequantized:
    s = (max - min) / 255,  z = round(-128 - min / s),  q = clamp(round(w / s) + z, -128, 127),
    w' = (q - z) * s
and written back as float32 in the same container, so the product loads it unchanged and every
bench measures exactly what int8 storage would give. Biases stay float, as in the usual int8
schemes (they are added in the 32-bit accumulator).

Usage: int8_weights.py IN OUT     (IN: an AGNN .agnn or AGLG lutgen.bin)
Prints the largest absolute change and the relative RMS change per quantized tensor kind.
"""
import json
import struct
import sys

import numpy as np


def quantize(w):
    lo, hi = float(w.min()), float(w.max())
    lo, hi = min(lo, 0.0), max(hi, 0.0)  # zero stays exactly representable
    if hi == lo:
        return w.copy()
    s = (hi - lo) / 255.0
    z = np.round(-128.0 - lo / s)
    q = np.clip(np.round(w / s) + z, -128, 127)
    return ((q - z) * s).astype(np.float32)


def tensors_of(header, magic):
    """(name, shape, quantize?) for one copy of the payload's tensor list."""
    if magic == b"AGNN0001":
        f = header["inputs"]
        out = [("input.mean", [f], False), ("input.std", [f], False)]
        for i, layer in enumerate(header["layers"]):
            out.append((f"layer{i}.weight", [layer["out"], layer["in"]], True))
            out.append((f"layer{i}.bias", [layer["out"]], False))
        return out
    if magic == b"AGLG0001":
        out = []
        for t in header["tensors"]:
            n = t["name"]
            q = not n.startswith("norm.") and not n.startswith("ln.") and not n.endswith(".bias")
            out.append((n, t["shape"], q))
        return out
    raise SystemExit(f"unknown weight file magic {magic!r}")


def quantize_records(data, src):
    """Yields (header bytes, quantized payload bytes, stats) per record; an AGLG ensemble is
    several records back to back."""
    at = 0
    while at < len(data):
        magic = data[at:at + 8]
        n = struct.unpack("<I", data[at + 8:at + 12])[0]
        header = json.loads(data[at + 12:at + 12 + n])
        layout = tensors_of(header, magic)
        count = sum(int(np.prod(shape)) for _, shape, _ in layout)
        start = at + 12 + n
        payload = np.frombuffer(data[start:start + 4 * count], dtype="<f4").astype(np.float32)
        if payload.size != count:
            raise SystemExit(f"{src}: truncated record at byte {at}")
        out = payload.copy()
        k0, worst, num, den = 0, 0.0, 0.0, 0.0
        for name, shape, q in layout:
            k = int(np.prod(shape))
            if q:
                w = payload[k0:k0 + k]
                out[k0:k0 + k] = quantize(w)
                worst = max(worst, float(np.abs(out[k0:k0 + k] - w).max()))
                num += float(((out[k0:k0 + k] - w) ** 2).sum())
                den += float((w ** 2).sum())
            k0 += k
        yield data[at:start], out.astype("<f4").tobytes(), (worst, np.sqrt(num / max(den, 1e-30)))
        at = start + 4 * count


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    data = open(sys.argv[1], "rb").read()
    parts = list(quantize_records(data, sys.argv[1]))
    with open(sys.argv[2], "wb") as f:
        for head, body, _ in parts:
            f.write(head)
            f.write(body)
    for i, (_, _, (worst, rel)) in enumerate(parts):
        print(f"{sys.argv[1]} record {i}: weights max |change| {worst:.3g}, relative RMS change {rel:.4f}")


if __name__ == "__main__":
    main()
