#!/usr/bin/python3
"""Convert MediaPipe's selfie-segmentation and BlazeFace .tflite graphs to ONNX for cv::dnn.

OpenCV 4.6's DNN module reads ONNX but not TFLite, and the public tflite2onnx/tf2onnx tools
need TensorFlow, which Debian does not package. The graphs we ship use a dozen operators, so
this is a small converter for exactly those (anything else is an error, never a silent
approximation):

  CONV_2D, DEPTHWISE_CONV_2D, MAX_POOL_2D, AVERAGE_POOL_2D, MEAN (spatial, keep_dims),
  ADD, MUL, RELU, LOGISTIC, HARD_SWISH, PAD, RESIZE_BILINEAR, RESHAPE, CONCATENATION,
  DEQUANTIZE (float16 weights), and MediaPipe's custom Convolution2DTransposeBias.

TFLite is NHWC; the ONNX graph is NCHW (what cv::dnn::blobFromImage gives). 4-D activations
are kept NCHW throughout; a RESHAPE out of 4-D first transposes back to NHWC so the flattened
order is TFLite's. Padding "SAME" is turned into the explicit (possibly asymmetric) pads TFLite
computes. HARD_SWISH is written as x * (relu(x+3) - relu(x-3)) / 6 (= x*relu6(x+3)/6) because
cv::dnn 4.6 has no HardSwish importer and Relu is the one activation every importer knows.

The flatbuffer reader below follows tensorflow/lite/schema/schema.fbs (field indices are the
schema's declaration order). Used by tools/tflite_reference.py as well.

Usage: tools/tflite2onnx.py in.tflite out.onnx
"""
import struct
import sys

import numpy as np

# --- flatbuffer reading (tflite schema) -----------------------------------------------------


class Table:
    """A flatbuffer table: a position plus its vtable; fields by declaration index."""

    def __init__(self, buf, pos):
        self.buf = buf
        self.pos = pos
        self.vt = pos - struct.unpack_from('<i', buf, pos)[0]
        self.vt_len = struct.unpack_from('<H', buf, self.vt)[0]

    def _field(self, i):
        o = 4 + 2 * i
        return struct.unpack_from('<H', self.buf, self.vt + o)[0] if o < self.vt_len else 0

    def scalar(self, i, fmt, default=0):
        o = self._field(i)
        return struct.unpack_from('<' + fmt, self.buf, self.pos + o)[0] if o else default

    def _indirect(self, i):
        o = self._field(i)
        if not o:
            return None
        q = self.pos + o
        return q + struct.unpack_from('<I', self.buf, q)[0]

    def table(self, i):
        q = self._indirect(i)
        return Table(self.buf, q) if q is not None else None

    def _vector(self, i):
        q = self._indirect(i)
        if q is None:
            return None, 0
        return q + 4, struct.unpack_from('<I', self.buf, q)[0]

    def tables(self, i):
        start, n = self._vector(i)
        if start is None:
            return []
        return [Table(self.buf, start + 4 * k + struct.unpack_from('<I', self.buf, start + 4 * k)[0])
                for k in range(n)]

    def ints(self, i, fmt='i'):
        start, n = self._vector(i)
        return list(struct.unpack_from('<%d%s' % (n, fmt), self.buf, start)) if start else []

    def bytes(self, i):
        start, n = self._vector(i)
        return bytes(self.buf[start:start + n]) if start else b''

    def string(self, i):
        start, n = self._vector(i)
        return bytes(self.buf[start:start + n]).decode() if start else ''


# BuiltinOperator codes used here (schema.fbs enum BuiltinOperator).
OPS = {0: 'ADD', 1: 'AVERAGE_POOL_2D', 2: 'CONCATENATION', 3: 'CONV_2D', 4: 'DEPTHWISE_CONV_2D',
       6: 'DEQUANTIZE', 14: 'LOGISTIC', 17: 'MAX_POOL_2D', 18: 'MUL', 19: 'RELU', 21: 'RELU6',
       22: 'RESHAPE', 23: 'RESIZE_BILINEAR', 32: 'CUSTOM', 34: 'PAD', 40: 'MEAN',
       54: 'PRELU', 117: 'HARD_SWISH'}
# TensorType -> numpy dtype.
DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8}
ACTIVATIONS = {0: None, 1: 'RELU', 3: 'RELU6'}  # ActivationFunctionType
PADDINGS = {0: 'SAME', 1: 'VALID'}


class Tensor:
    def __init__(self, index, name, shape, dtype, data):
        self.index, self.name, self.shape, self.dtype, self.data = index, name, shape, dtype, data


class Op:
    def __init__(self, kind, inputs, outputs, opts):
        self.kind, self.inputs, self.outputs, self.opts = kind, inputs, outputs, opts


def _options(kind, op):
    """The builtin options we need, by name (schema.fbs *Options tables)."""
    t = op.table(4)  # Operator.builtin_options
    get = (lambda i, f, d=0: t.scalar(i, f, d)) if t else (lambda i, f, d=0: d)
    if kind == 'CONV_2D':  # Conv2DOptions
        return dict(padding=PADDINGS[get(0, 'b')], stride_w=get(1, 'i'), stride_h=get(2, 'i'),
                    act=ACTIVATIONS[get(3, 'b')], dil_w=get(4, 'i', 1), dil_h=get(5, 'i', 1))
    if kind == 'DEPTHWISE_CONV_2D':  # DepthwiseConv2DOptions
        return dict(padding=PADDINGS[get(0, 'b')], stride_w=get(1, 'i'), stride_h=get(2, 'i'),
                    multiplier=get(3, 'i'), act=ACTIVATIONS[get(4, 'b')],
                    dil_w=get(5, 'i', 1), dil_h=get(6, 'i', 1))
    if kind in ('MAX_POOL_2D', 'AVERAGE_POOL_2D'):  # Pool2DOptions
        return dict(padding=PADDINGS[get(0, 'b')], stride_w=get(1, 'i'), stride_h=get(2, 'i'),
                    filter_w=get(3, 'i'), filter_h=get(4, 'i'), act=ACTIVATIONS[get(5, 'b')])
    if kind in ('ADD', 'MUL'):  # AddOptions / MulOptions
        return dict(act=ACTIVATIONS[get(0, 'b')])
    if kind == 'CONCATENATION':  # ConcatenationOptions
        return dict(axis=get(0, 'i'), act=ACTIVATIONS[get(1, 'b')])
    if kind == 'RESIZE_BILINEAR':  # ResizeBilinearOptions (fields 0, 1 deprecated)
        return dict(align_corners=bool(get(2, 'b')), half_pixel_centers=bool(get(3, 'b')))
    if kind == 'MEAN':  # ReducerOptions
        return dict(keep_dims=bool(get(0, 'b')))
    if kind == 'CUSTOM':
        code = op.custom_code
        if code != 'Convolution2DTransposeBias':
            raise NotImplementedError('custom op ' + code)
        # MediaPipe stores a TfLiteTransposeConvParams struct verbatim: padding (TfLitePadding:
        # 1 same, 2 valid), stride_width, stride_height, as int32.
        raw = op.bytes(5)
        pad, sw, sh = struct.unpack_from('<3i', raw, 0)
        return dict(padding={1: 'SAME', 2: 'VALID'}[pad], stride_w=sw, stride_h=sh)
    return {}


class Model:
    """The first subgraph of a .tflite file: tensors (constants with their data), operators."""

    def __init__(self, path):
        buf = open(path, 'rb').read()
        model = Table(buf, struct.unpack_from('<I', buf, 0)[0])
        buffers = model.tables(4)  # Model.buffers
        codes = []
        for oc in model.tables(1):  # Model.operator_codes
            # OperatorCode: deprecated_builtin_code (int8) 0, custom_code 1, version 2,
            # builtin_code (int32) 3; newer files fill both, old ones only the first.
            codes.append((max(oc.scalar(0, 'b'), oc.scalar(3, 'i')), oc.string(1)))
        sg = model.tables(2)[0]  # Model.subgraphs
        self.tensors = []
        for i, t in enumerate(sg.tables(0)):  # SubGraph.tensors
            # Tensor: shape 0, type 1, buffer 2, name 3.
            dtype = DTYPES[t.scalar(1, 'b')]
            data = buffers[t.scalar(2, 'I')].bytes(0)  # Buffer.data
            arr = None
            shape = t.ints(0)
            if data:
                arr = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
            self.tensors.append(Tensor(i, t.string(3), shape, dtype, arr))
        self.inputs = sg.ints(1)
        self.outputs = sg.ints(2)
        self.ops = []
        for op in sg.tables(3):  # SubGraph.operators
            code, custom = codes[op.scalar(0, 'I')]
            if code not in OPS:
                raise NotImplementedError('tflite builtin operator %d' % code)
            kind = OPS[code]
            op.custom_code = custom
            self.ops.append(Op(kind, op.ints(1), op.ints(2), _options(kind, op)))
        self._fold_dequantize()

    def _fold_dequantize(self):
        """float16 weights -> float32 constants (what TFLite's DEQUANTIZE does at load)."""
        kept = []
        for op in self.ops:
            src = self.tensors[op.inputs[0]]
            if op.kind == 'DEQUANTIZE' and src.data is not None and src.dtype == np.float16:
                dst = self.tensors[op.outputs[0]]
                dst.data = src.data.astype(np.float32)
                dst.dtype = np.float32
            else:
                kept.append(op)
        self.ops = kept

    def const(self, i):
        return self.tensors[i].data


def same_pads(in_size, k, stride, dilation=1):
    """TFLite's SAME padding: output ceil(in/stride), the extra pixel (if odd) at the end."""
    out = -(-in_size // stride)
    total = max((out - 1) * stride + (k - 1) * dilation + 1 - in_size, 0)
    return total // 2, total - total // 2


# --- ONNX graph building --------------------------------------------------------------------


def convert(model, opset=11):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits = [], []
    names = {}  # tflite tensor index -> onnx name
    counter = [0]

    def fresh(base):
        counter[0] += 1
        return '%s__%d' % (base, counter[0])

    def const(arr, base):
        n = fresh(base)
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), n))
        return n

    def node(kind, ins, out, **attrs):
        nodes.append(helper.make_node(kind, ins, [out], name=out, **attrs))
        return out

    def shape(i):
        return model.tensors[i].shape

    def activation(x, act, out):
        if act is None:
            return node('Identity', [x], out) if x != out else x
        if act == 'RELU':
            return node('Relu', [x], out)
        if act == 'RELU6':
            return relu6(x, out)
        raise NotImplementedError(act)

    def relu6(x, out):
        # relu(x) - relu(x - 6): only Relu, Sub and a constant (see the module comment).
        a = node('Relu', [x], fresh(out + '_relu'))
        b = node('Relu', [node('Sub', [x, const(np.float32(6), 'six')], fresh(out + '_m6'))],
                 fresh(out + '_relu_m6'))
        return node('Sub', [a, b], out)

    inp = model.tensors[model.inputs[0]]
    n_, h_, w_, c_ = inp.shape
    graph_inputs = [helper.make_tensor_value_info(inp.name, TensorProto.FLOAT, [n_, c_, h_, w_])]
    names[inp.index] = inp.name

    for op in model.ops:
        o = op.outputs[0]
        out = model.tensors[o].name
        x = names.get(op.inputs[0])
        k = op.kind
        p = op.opts
        if k in ('CONV_2D', 'DEPTHWISE_CONV_2D', 'CUSTOM'):
            w = model.const(op.inputs[1]).astype(np.float32)
            b = model.const(op.inputs[2]).astype(np.float32)
            _, ih, iw, ic = shape(op.inputs[0])
            if k == 'CUSTOM':  # transposed convolution, weights OHWI -> (in, out, kh, kw)
                kh, kw = w.shape[1], w.shape[2]
                oh, ow = shape(o)[1], shape(o)[2]
                # TFLite's SAME for a transposed conv: output in*stride, the pads the forward
                # conv from output to input would use.
                ph = same_pads(oh, kh, p['stride_h']) if p['padding'] == 'SAME' else (0, 0)
                pw = same_pads(ow, kw, p['stride_w']) if p['padding'] == 'SAME' else (0, 0)
                wt = w.transpose(3, 0, 1, 2)
                y = node('ConvTranspose', [x, const(wt, out + '_w'), const(b, out + '_b')], out,
                         kernel_shape=[kh, kw], strides=[p['stride_h'], p['stride_w']],
                         pads=[ph[0], pw[0], ph[1], pw[1]])
                names[o] = y
                continue
            if k == 'CONV_2D':
                wt = w.transpose(0, 3, 1, 2)  # OHWI -> OIHW
                group = 1
            else:
                wt = w.transpose(3, 0, 1, 2)  # 1,H,W,C*m -> C*m,1,H,W
                group = ic
            kh, kw = wt.shape[2], wt.shape[3]
            if p['padding'] == 'SAME':
                ph = same_pads(ih, kh, p['stride_h'], p['dil_h'])
                pw = same_pads(iw, kw, p['stride_w'], p['dil_w'])
            else:
                ph = pw = (0, 0)
            pre = out if p['act'] is None else fresh(out + '_conv')
            y = node('Conv', [x, const(wt, out + '_w'), const(b, out + '_b')], pre,
                     kernel_shape=[kh, kw], strides=[p['stride_h'], p['stride_w']],
                     dilations=[p['dil_h'], p['dil_w']], group=group,
                     pads=[ph[0], pw[0], ph[1], pw[1]])
            names[o] = activation(y, p['act'], out)
        elif k in ('MAX_POOL_2D', 'AVERAGE_POOL_2D'):
            _, ih, iw, _ = shape(op.inputs[0])
            if k == 'AVERAGE_POOL_2D' and (p['filter_h'], p['filter_w']) == (ih, iw) \
                    and p['padding'] == 'VALID':
                y = node('GlobalAveragePool', [x], out if p['act'] is None else fresh(out))
            else:
                if p['padding'] == 'SAME':
                    ph = same_pads(ih, p['filter_h'], p['stride_h'])
                    pw = same_pads(iw, p['filter_w'], p['stride_w'])
                    if k == 'AVERAGE_POOL_2D' and (ph != (0, 0) or pw != (0, 0)):
                        # TFLite averages over the valid pixels only; ONNX's default counts
                        # padding unless count_include_pad=0, which we would need to verify.
                        raise NotImplementedError('padded AVERAGE_POOL_2D')
                else:
                    ph = pw = (0, 0)
                y = node('MaxPool' if k == 'MAX_POOL_2D' else 'AveragePool', [x],
                         out if p['act'] is None else fresh(out),
                         kernel_shape=[p['filter_h'], p['filter_w']],
                         strides=[p['stride_h'], p['stride_w']],
                         pads=[ph[0], pw[0], ph[1], pw[1]])
            names[o] = activation(y, p['act'], out) if p['act'] else y
        elif k == 'MEAN':
            axes = sorted(int(a) for a in model.const(op.inputs[1]).ravel())
            if axes != [1, 2] or not p['keep_dims'] or len(shape(op.inputs[0])) != 4:
                raise NotImplementedError('MEAN over %s' % axes)
            names[o] = node('GlobalAveragePool', [x], out)
        elif k in ('ADD', 'MUL'):
            ins = []
            for i in op.inputs:
                if i in names:
                    ins.append(names[i])
                else:
                    c = model.const(i).astype(np.float32)
                    if c.ndim == 4:
                        c = c.transpose(0, 3, 1, 2)
                    elif c.ndim == 1 and len(shape(o)) == 4:
                        c = c.reshape(1, -1, 1, 1)
                    ins.append(const(c, out + '_c'))
            pre = out if p['act'] is None else fresh(out + '_pre')
            y = node('Add' if k == 'ADD' else 'Mul', ins, pre)
            names[o] = activation(y, p['act'], out)
        elif k == 'RELU':
            names[o] = node('Relu', [x], out)
        elif k == 'RELU6':
            names[o] = relu6(x, out)
        elif k == 'LOGISTIC':
            names[o] = node('Sigmoid', [x], out)
        elif k == 'PRELU':
            # One slope per channel (the face landmark graph's [1, 1, C]); ONNX's PRelu
            # broadcasts a [C, 1, 1] slope over NCHW.
            alpha = model.const(op.inputs[1]).astype(np.float32)
            c = shape(op.inputs[0])[-1]
            if alpha.size != c or len(shape(op.inputs[0])) != 4:
                raise NotImplementedError('PRELU slope of shape %s' % (alpha.shape,))
            names[o] = node('PRelu', [x, const(alpha.reshape(c, 1, 1), out + '_slope')], out)
        elif k == 'HARD_SWISH':
            r = relu6(node('Add', [x, const(np.float32(3), 'three')], fresh(out + '_p3')),
                      fresh(out + '_r6'))
            xr = node('Mul', [x, r], fresh(out + '_xr'))
            names[o] = node('Mul', [xr, const(np.float32(1.0 / 6.0), 'sixth')], out)
        elif k == 'PAD':
            pads = model.const(op.inputs[1]).astype(np.int64)  # [4, 2] NHWC (before, after)
            nchw = pads[[0, 3, 1, 2]]
            onnx_pads = np.concatenate([nchw[:, 0], nchw[:, 1]]).astype(np.int64)
            names[o] = node('Pad', [x, const(onnx_pads, out + '_pads')], out, mode='constant')
        elif k == 'RESIZE_BILINEAR':
            if p['align_corners']:
                mode = 'align_corners'
            elif p['half_pixel_centers']:
                mode = 'half_pixel'
            else:
                mode = 'asymmetric'
            _, ih, iw, _ = shape(op.inputs[0])
            _, oh, ow, _ = shape(o)
            scales = np.array([1, 1, oh / ih, ow / iw], np.float32)
            names[o] = node('Resize', [x, const(np.zeros(0, np.float32), out + '_roi'),
                                       const(scales, out + '_scales')], out,
                            mode='linear', coordinate_transformation_mode=mode)
        elif k == 'RESHAPE':
            src = shape(op.inputs[0])
            y = x
            if len(src) == 4:
                y = node('Transpose', [x], fresh(out + '_nhwc'), perm=[0, 2, 3, 1])
            names[o] = node('Reshape', [y, const(np.array(shape(o), np.int64), out + '_shape')],
                            out)
        elif k == 'CONCATENATION':
            axis = p['axis']
            rank = len(shape(o))
            if axis < 0:
                axis += rank
            if rank == 4:
                axis = [0, 2, 3, 1][axis]
            pre = out if p['act'] is None else fresh(out + '_pre')
            y = node('Concat', [names[i] for i in op.inputs], pre, axis=axis)
            names[o] = activation(y, p['act'], out)
        else:
            raise NotImplementedError(k)

    graph_outputs = []
    for i in model.outputs:
        t = model.tensors[i]
        s = list(t.shape)
        if len(s) == 4:
            s = [s[0], s[3], s[1], s[2]]
        if names[i] != t.name:
            node('Identity', [names[i]], t.name)
        graph_outputs.append(helper.make_tensor_value_info(t.name, TensorProto.FLOAT, s))
    graph = helper.make_graph(nodes, 'mediapipe', graph_inputs, graph_outputs, inits)
    m = helper.make_model(graph, producer_name='autograde tools/tflite2onnx.py',
                          opset_imports=[helper.make_opsetid('', opset)])
    m.ir_version = 7  # onnx 1.12 writes 8; cv::dnn 4.6 reads either, 7 is the opset-11 era's
    onnx.checker.check_model(m)
    return m


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    import hashlib
    import os
    import onnx
    model = Model(argv[1])
    m = convert(model)
    # Apache-2.0 section 4(b): a converted file says that it was changed and from what.
    digest = hashlib.sha256(open(argv[1], 'rb').read()).hexdigest()
    m.doc_string = ('Converted to ONNX by autograde tools/tflite2onnx.py (format change only; '
                    'weights as published, float16 widened to float32) from MediaPipe\'s %s '
                    '(sha256 %s), Copyright Google LLC, Apache License 2.0. See models/mediapipe.md.'
                    % (os.path.basename(argv[1]), digest))
    onnx.save(m, argv[2])


if __name__ == '__main__':
    main(sys.argv)
