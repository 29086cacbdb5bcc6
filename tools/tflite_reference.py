#!/usr/bin/python3
"""A NumPy forward pass of MediaPipe's .tflite graphs: the reference the ONNX conversion is
checked against.

It shares only the flatbuffer reader with tools/tflite2onnx.py; every operator is computed here
directly in TFLite's own NHWC layout and semantics (SAME padding, TF bilinear resize, the
custom transposed convolution), in float64, so a layout, padding or weight-order mistake in the
converter shows up as a difference rather than being repeated.

Usage:
  tflite_reference.py run MODEL.tflite IN.f32 OUT.f32
      IN.f32: the input tensor as raw little-endian float32 in the model's NHWC shape.
      OUT.f32: every graph output, raw float32 in TFLite's layout, concatenated in graph order.
  tflite_reference.py check MODEL.tflite MODEL.onnx IMAGE...
      Runs both (cv::dnn through python3-opencv) on photos preprocessed as MediaPipe does and
      prints the largest absolute output difference per image.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tflite2onnx import Model, same_pads  # noqa: E402  (the reader only)


def _pad_same(x, kh, kw, sh, sw, dh=1, dw=1, value=0.0):
    _, h, w, _ = x.shape
    ph = same_pads(h, kh, sh, dh)
    pw = same_pads(w, kw, sw, dw)
    return np.pad(x, ((0, 0), ph, pw, (0, 0)), constant_values=value)


def _windows(x, kh, kw, sh, sw):
    """[n, oh, ow, c, kh, kw] views of x (already padded)."""
    v = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))
    return v[:, ::sh, ::sw]


def conv2d(x, w, b, o):
    kh, kw = w.shape[1], w.shape[2]
    if (o['dil_h'], o['dil_w']) != (1, 1):
        raise NotImplementedError('dilated conv')
    if o['padding'] == 'SAME':
        x = _pad_same(x, kh, kw, o['stride_h'], o['stride_w'])
    win = _windows(x, kh, kw, o['stride_h'], o['stride_w'])
    return np.einsum('nhwcij,oijc->nhwo', win, w, optimize=True) + b


def depthwise(x, w, b, o):
    if o['multiplier'] != 1:
        raise NotImplementedError('depth multiplier')
    kh, kw = w.shape[1], w.shape[2]
    if o['padding'] == 'SAME':
        x = _pad_same(x, kh, kw, o['stride_h'], o['stride_w'])
    win = _windows(x, kh, kw, o['stride_h'], o['stride_w'])
    return np.einsum('nhwcij,ijc->nhwc', win, w[0], optimize=True) + b


def transpose_conv(x, w, b, o, out_shape):
    """out[y*s + ky - pad, x*s + kx - pad, oc] += in[y, x, ic] * w[oc, ky, kx, ic]."""
    n, h, wd, _ = x.shape
    oc, kh, kw, _ = w.shape
    sh, sw = o['stride_h'], o['stride_w']
    _, oh, ow, _ = out_shape
    full = np.zeros((n, (h - 1) * sh + kh, (wd - 1) * sw + kw, oc))
    for ky in range(kh):
        for kx in range(kw):
            full[:, ky:ky + (h - 1) * sh + 1:sh, kx:kx + (wd - 1) * sw + 1:sw] += \
                np.einsum('nhwi,oi->nhwo', x, w[:, ky, kx, :])
    if o['padding'] == 'SAME':
        pt = same_pads(oh, kh, sh)[0]
        pl = same_pads(ow, kw, sw)[0]
    else:
        pt = pl = 0
    return full[:, pt:pt + oh, pl:pl + ow] + b


def pool(x, o, kind):
    kh, kw = o['filter_h'], o['filter_w']
    if o['padding'] == 'SAME':
        if kind == 'avg':
            raise NotImplementedError('padded average pool')
        x = _pad_same(x, kh, kw, o['stride_h'], o['stride_w'], value=-np.inf)
    win = _windows(x, kh, kw, o['stride_h'], o['stride_w'])
    return win.max(axis=(4, 5)) if kind == 'max' else win.mean(axis=(4, 5))


def resize_bilinear(x, oh, ow, align_corners, half_pixel):
    """TensorFlow's ResizeBilinear (the TFLite kernel's reference semantics)."""
    _, h, w, _ = x.shape

    def axis(out, inn):
        if align_corners and out > 1:
            scale = (inn - 1) / (out - 1)
        else:
            scale = inn / out
        i = np.arange(out, dtype=np.float64)
        src = (i + 0.5) * scale - 0.5 if half_pixel else i * scale
        lo = np.floor(src)
        frac = src - lo
        lo_i = np.clip(lo.astype(int), 0, inn - 1)
        hi_i = np.clip(lo.astype(int) + 1, 0, inn - 1)
        return lo_i, hi_i, frac

    y0, y1, fy = axis(oh, h)
    x0, x1, fx = axis(ow, w)
    top = x[:, y0] * (1 - fy)[None, :, None, None] + x[:, y1] * fy[None, :, None, None]
    return top[:, :, x0] * (1 - fx)[None, None, :, None] + top[:, :, x1] * fx[None, None, :, None]


def act(x, a):
    if a is None:
        return x
    if a == 'RELU':
        return np.maximum(x, 0)
    if a == 'RELU6':
        return np.clip(x, 0, 6)
    raise NotImplementedError(a)


def forward(model, inp):
    """inp: NHWC array in the model's input shape -> list of outputs (TFLite layout)."""
    vals = {model.inputs[0]: np.asarray(inp, np.float64)}

    def get(i):
        if i in vals:
            return vals[i]
        return model.const(i).astype(np.float64)

    for op in model.ops:
        k, o, ins = op.kind, op.opts, op.inputs
        out_shape = model.tensors[op.outputs[0]].shape
        if k == 'CONV_2D':
            y = act(conv2d(get(ins[0]), get(ins[1]), get(ins[2]), o), o['act'])
        elif k == 'DEPTHWISE_CONV_2D':
            y = act(depthwise(get(ins[0]), get(ins[1]), get(ins[2]), o), o['act'])
        elif k == 'CUSTOM':
            y = transpose_conv(get(ins[0]), get(ins[1]), get(ins[2]), o, out_shape)
        elif k == 'MAX_POOL_2D':
            y = act(pool(get(ins[0]), o, 'max'), o['act'])
        elif k == 'AVERAGE_POOL_2D':
            y = act(pool(get(ins[0]), o, 'avg'), o['act'])
        elif k == 'MEAN':
            axes = tuple(int(a) for a in model.const(ins[1]).ravel())
            y = get(ins[0]).mean(axis=axes, keepdims=o['keep_dims'])
        elif k == 'ADD':
            y = act(get(ins[0]) + get(ins[1]), o['act'])
        elif k == 'MUL':
            y = act(get(ins[0]) * get(ins[1]), o['act'])
        elif k == 'RELU':
            y = np.maximum(get(ins[0]), 0)
        elif k == 'RELU6':
            y = np.clip(get(ins[0]), 0, 6)
        elif k == 'LOGISTIC':
            y = 0.5 * (1.0 + np.tanh(0.5 * get(ins[0])))  # the logistic, without exp overflow
        elif k == 'PRELU':
            x = get(ins[0])
            y = np.where(x >= 0, x, x * get(ins[1]))
        elif k == 'HARD_SWISH':
            x = get(ins[0])
            y = x * np.clip(x + 3, 0, 6) / 6
        elif k == 'PAD':
            y = np.pad(get(ins[0]), model.const(ins[1]).astype(int))
        elif k == 'RESIZE_BILINEAR':
            y = resize_bilinear(get(ins[0]), out_shape[1], out_shape[2], o['align_corners'],
                                o['half_pixel_centers'])
        elif k == 'RESHAPE':
            y = get(ins[0]).reshape(out_shape)
        elif k == 'CONCATENATION':
            y = act(np.concatenate([get(i) for i in ins], axis=o['axis']), o['act'])
        else:
            raise NotImplementedError(k)
        if list(y.shape) != list(out_shape):
            raise AssertionError('%s: shape %s, graph says %s' % (k, y.shape, out_shape))
        vals[op.outputs[0]] = y
    return [vals[i] for i in model.outputs]


def mediapipe_input(rgb, shape, letterbox):
    """A float RGB 0..1 picture as MediaPipe's ImageToTensorCalculator feeds the model: stretched
    (selfie, range 0..1) or letterboxed keeping aspect with zero borders (BlazeFace, -1..1)."""
    import cv2
    _, h, w, _ = shape
    if not letterbox:
        t = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_LINEAR)
        return t[None].astype(np.float32)
    ih, iw = rgb.shape[:2]
    s = min(w / iw, h / ih)
    nw, nh = round(iw * s), round(ih * s)
    small = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA) * 2.0 - 1.0
    t = np.zeros((h, w, 3), np.float32)
    y0, x0 = (h - nh) // 2, (w - nw) // 2
    t[y0:y0 + nh, x0:x0 + nw] = small
    return t[None]


def check(tflite, onnx_path, images):
    import cv2
    model = Model(tflite)
    net = cv2.dnn.readNetFromONNX(onnx_path)
    shape = model.tensors[model.inputs[0]].shape
    # BlazeFace sees a letterboxed picture; the face landmark net a face crop stretched to its
    # input, like the selfie net (a whole photo stands in for the crop here).
    face = 'face_detection' in os.path.basename(tflite)
    worst = 0.0
    for path in images:
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
        x = mediapipe_input(rgb, shape, letterbox=face)
        ref = forward(model, x)
        net.setInput(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
        names = [model.tensors[i].name for i in model.outputs]
        outs = net.forward(names)
        diffs = []
        for r, a in zip(ref, outs):
            if a.ndim == 4:
                a = a.transpose(0, 2, 3, 1)
            diffs.append(float(np.abs(r - a).max()))
        worst = max(worst, max(diffs))
        print('%s %s max|diff| per output %s  (ref range %.3g..%.3g)' % (
            os.path.basename(tflite), os.path.basename(path),
            ' '.join('%.3g' % d for d in diffs), min(r.min() for r in ref),
            max(r.max() for r in ref)))
    print('%s worst %.3g over %d images' % (os.path.basename(tflite), worst, len(images)))


def main(argv):
    if len(argv) >= 5 and argv[1] == 'run':
        model = Model(argv[2])
        shape = model.tensors[model.inputs[0]].shape
        x = np.fromfile(argv[3], dtype='<f4').reshape(shape)
        outs = forward(model, x)
        np.concatenate([o.astype('<f4').ravel() for o in outs]).tofile(argv[4])
    elif len(argv) >= 5 and argv[1] == 'check':
        check(argv[2], argv[3], argv[4:])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
