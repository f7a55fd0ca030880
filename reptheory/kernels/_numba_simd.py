"""Block transposes for the numba executor, written as LLVM vector shuffles.

numba compiles a strided element-by-element copy (a transpose) to one scalar load and store
per entry. Here a W x W block (W = 8 for float32, 4 for float64: one 256-bit vector per row)
is read as W vector loads, transposed in registers by ``log2(W)`` rounds of two-input
shuffles (the classic unpack / shuffle / lane-permute network), and written as W vector
stores: about three times faster for 64 x 64 float32 matrices on an AVX2 machine. The
shuffles are target-independent LLVM IR, so other CPUs get their own instructions for them.
The functions are numba intrinsics, called from :mod:`reptheory.kernels._numba_jit`; numba's
on-disk cache of those kernels is keyed on that module's file, so after editing this one clear
``$REPTHEORY_CACHE_DIR/numba`` (or touch ``_numba_jit.py``).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

__all__ = ["transpose4", "transpose8"]


def _shuffle(builder, a, b, mask):
    return builder.shuffle_vector(a, b, ir.Constant(ir.VectorType(ir.IntType(32), len(mask)),
                                                    mask))


def _network(builder, rows):
    """The rows of the transpose of a W x W block given as W vectors of W entries."""
    if len(rows) == 8:
        # 1. interleave pairs of rows within each 128-bit half
        lo, hi = [0, 8, 1, 9, 4, 12, 5, 13], [2, 10, 3, 11, 6, 14, 7, 15]
        a = []
        for i in range(0, 8, 2):
            a += [_shuffle(builder, rows[i], rows[i + 1], lo),
                  _shuffle(builder, rows[i], rows[i + 1], hi)]
        # 2. pairs of entries from two interleaved rows
        lo, hi = [0, 1, 8, 9, 4, 5, 12, 13], [2, 3, 10, 11, 6, 7, 14, 15]
        b = []
        for g in (0, 4):
            b += [_shuffle(builder, a[g], a[g + 2], lo), _shuffle(builder, a[g], a[g + 2], hi),
                  _shuffle(builder, a[g + 1], a[g + 3], lo),
                  _shuffle(builder, a[g + 1], a[g + 3], hi)]
        # 3. the 128-bit halves
        lo, hi = [0, 1, 2, 3, 8, 9, 10, 11], [4, 5, 6, 7, 12, 13, 14, 15]
        return ([_shuffle(builder, b[j], b[j + 4], lo) for j in range(4)]
                + [_shuffle(builder, b[j], b[j + 4], hi) for j in range(4)])
    lo, hi = [0, 4, 2, 6], [1, 5, 3, 7]
    a = [_shuffle(builder, rows[0], rows[1], lo), _shuffle(builder, rows[0], rows[1], hi),
         _shuffle(builder, rows[2], rows[3], lo), _shuffle(builder, rows[2], rows[3], hi)]
    lo, hi = [0, 1, 4, 5], [2, 3, 6, 7]
    return [_shuffle(builder, a[0], a[2], lo), _shuffle(builder, a[1], a[3], lo),
            _shuffle(builder, a[0], a[2], hi), _shuffle(builder, a[1], a[3], hi)]


def _transpose(W: int):
    def typer(typingctx, dst, d0, d_stride, src, s0, s_stride):
        sig = types.void(dst, d0, d_stride, src, s0, s_stride)

        def codegen(context, builder, signature, args):
            dty, sty = signature.args[0], signature.args[3]
            dary = context.make_array(dty)(context, builder, args[0])
            sary = context.make_array(sty)(context, builder, args[3])
            elt = context.get_data_type(dty.dtype)
            size = context.get_abi_sizeof(elt)
            vec = ir.VectorType(elt, W).as_pointer()

            def pointer(ty, ary, start, stride, r):
                i = builder.add(start, builder.mul(stride, ir.Constant(stride.type, r)))
                p = cgutils.get_item_pointer(context, builder, ty, ary, [i], wraparound=False)
                return builder.bitcast(p, vec)

            rows = [builder.load(pointer(sty, sary, args[4], args[5], r), align=size)
                    for r in range(W)]
            for r, v in enumerate(_network(builder, rows)):
                builder.store(v, pointer(dty, dary, args[1], args[2], r), align=size)
            return context.get_dummy_value()

        return sig, codegen

    typer.__name__ = f"transpose{W}"
    typer.__doc__ = (f"dst[d0 + j * d_stride + i] = src[s0 + i * s_stride + j] for i, j < {W}: "
                     f"a {W} x {W} block transposed in registers (offsets and strides of one "
                     f"integer type; both arrays of one float dtype).")
    return intrinsic(typer)


transpose8 = _transpose(8)
transpose4 = _transpose(4)
