"""Emitters for layers on ``S()``: generated code that takes n from its input and takes a mask.

The operations and coefficients of the partition-diagram layers do not depend on n, and they
use no constant tensor, so the only n-dependent data of a generated module are the flat
positions of the generalised diagonals written by a scatter. Here they are computed at run time
from ``n = x.shape[-1]`` (or the mask, or an explicit ``n`` when k = 0) from the output axes
each distinct label names (``_AXES_t``), instead of being tables for one n.

A mask of shape (batch, n) and dtype bool marks real nodes: inputs are multiplied by its outer
product (padded entries count as zero in every sum) and so are the outputs, so the output of a
padded batch equals the output of each graph alone.
"""

from __future__ import annotations

from ..layers import LayerSpec
from ._emit import call, is_identity_coefficients
from ._generate import _data, _header, _op_calls, _op_functions, tables
from ._targets import (
    _DIALECTS,
    _JAX_SCATTER,
    _NP_DENSE,
    _NP_SCATTER,
    _TORCH_EXACT,
    _TORCH_MIX_SCATTER,
    _jax_init_lines,
    _join,
    _torch_class_head,
)

_TORCH_BUILDERS = _TORCH_EXACT + _TORCH_MIX_SCATTER
_NP_BUILDERS = _NP_DENSE

__all__ = ["emit_size_free"]


def diagonal_axes(spec: LayerSpec) -> list[tuple[int, tuple[tuple[int, ...], ...], str]]:
    """Distinct diagonal placements (t, axes of each distinct label, example lhs), numbered as
    :func:`reptheory.codegen._generate._diagonal_indices` numbers them."""
    from ._emit import plan_operation

    seen: set[tuple[int, ...]] = set()
    out = []
    for j, op in enumerate(spec.operations):
        plan = plan_operation(op, j, spec.n)
        if plan.diagonal and plan.strides not in seen:
            seen.add(plan.strides)
            out.append((len(out), plan.axes, plan.formula.split(" += ")[0]))
    return out


def _axes_literal(axes: tuple[tuple[int, ...], ...]) -> str:
    def tup(items):
        items = [str(int(i)) for i in items]
        return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"

    return tup([]) if not axes else (
        f"({tup(axes[0])},)" if len(axes) == 1 else "(" + ", ".join(tup(a) for a in axes) + ")")


def _axes_tables(spec: LayerSpec, bias_spec: LayerSpec | None) -> str:
    lines = ["# Output axes named by each distinct label of a diagonal placement."]
    for prefix, sp in (("", spec), ("BIAS_", bias_spec)):
        if sp is None:
            continue
        for t, axes, lhs in diagonal_axes(sp):
            lines.append(f"_{prefix}AXES_{t} = {_axes_literal(axes)}  # {lhs}")
    return "\n".join(lines) + "\n" if len(lines) > 1 else ""


def _index_lines(spec: LayerSpec, prefix: str, indent: str, extra: str) -> list[str]:
    return [f"{indent}{prefix.lower()}index_{t} = _flat_index(_{prefix}AXES_{t}, n{extra})"
            for t, _, _ in diagonal_axes(spec)]


# -- helpers emitted into the generated modules (lib = torch / np / jnp) -----------------------
def _helpers(lib: str) -> str:
    device = ", device" if lib == "torch" else ""
    dev_kw = ", device=device" if lib == "torch" else ""
    ints = "torch.int64" if lib == "torch" else "np.int64"
    ilib = "torch" if lib == "torch" else "np"
    boolean = {"torch": "torch.bool", "np": "np.bool_", "jnp": "jnp.bool_"}[lib]
    ndim = "x.dim()" if lib == "torch" else "x.ndim"
    mask_ndim = "mask.dim()" if lib == "torch" else "mask.ndim"
    cast = "mask.to(dtype)" if lib == "torch" else "mask.astype(dtype)"
    ones = "torch.ones" if lib == "torch" else f"{lib}.ones"
    ones_kw = "dtype=dtype, device=mask.device" if lib == "torch" else "dtype=dtype"
    return f'''
def _flat_index(axes, n{device}):
    """Flat positions in y's last L axes where the output axes axes[u] all hold i_u, for all
    (i_1, ..., i_m) in range(n)^m (a generalised diagonal)."""
    index = {ilib}.zeros((), dtype={ints}{dev_kw})
    for group in axes:
        stride = sum(n ** (L - 1 - p) for p in group)
        step = {ilib}.arange(n, dtype={ints}{dev_kw}) * stride
        index = index[..., None] + step
    return index.reshape(-1)


def _node_count(x, mask, n):
    """n from x's node axes (K > 0), else from the mask or the argument n; checks x and mask."""
    if K > 0:
        if {ndim} != 2 + K:
            msg = f"x: expected shape (batch, channels) + (n,) * {{K}}, got {{x.shape}}"
            raise ValueError(msg)
        size = int(x.shape[-1])
    elif mask is not None and {mask_ndim} == 2:
        size = int(mask.shape[1])
    elif n is None:
        msg = "n is required when K = 0 (x has no node axis): pass n or mask"
        raise ValueError(msg)
    else:
        size = int(n)
    if n is not None and int(n) != size:
        raise ValueError(f"n = {{n}} does not match the input's n = {{size}}")
    if size < 1 or {ndim} != 2 + K or tuple(x.shape[2:]) != (size,) * K:
        msg = f"x: expected shape (batch, channels) + {{(size,) * K}} with n >= 1, got {{x.shape}}"
        raise ValueError(msg)
    if mask is not None:
        if mask.dtype != {boolean}:
            raise ValueError(f"mask must have dtype bool, got {{mask.dtype}}")
        if tuple(mask.shape) != (x.shape[0], size):
            msg = f"mask: expected shape {{(x.shape[0], size)}}, got {{tuple(mask.shape)}}"
            raise ValueError(msg)
    return size


def _mask_outer(mask, order, dtype):
    """prod_u mask[b, i_u] as a (batch, 1) + (n,) * order array (1 where all nodes are real)."""
    m = {cast}
    shape = (m.shape[0], 1) + (1,) * order
    out = {ones}(shape, {ones_kw})
    for u in range(order):
        shape = [m.shape[0], 1] + [1] * order
        shape[2 + u] = m.shape[1]
        out = out * m.reshape(tuple(shape))
    return out
'''







def _np_tables(spec: LayerSpec, bias_spec: LayerSpec | None) -> str:
    lines = [call(f"{var} = ", "_dense", [f"{var}_SHAPE", f"{var}_ENTRIES"], "")
             for var, _, _, _ in tables(spec, bias_spec)]
    return "\n".join(lines) + "\n" if lines else ""


def _mask_in(indent: str, lib: str) -> list[str]:
    return [f"{indent}if mask is not None and K > 0:",
            f"{indent}    x = x * _mask_outer(mask, K, x.dtype)"]


def _mask_out(indent: str) -> list[str]:
    return [f"{indent}if mask is not None and L > 0:",
            f"{indent}    y = y * _mask_outer(mask, L, y.dtype)"]


_CHANNELS = '''{i}if x.shape[1] != {channels}:
{i}    msg = f"x has {{x.shape[1]}} channels, expected {{{channels}}}"
{i}    raise ValueError(msg)'''


# -- torch ------------------------------------------------------------------------------------
def _emit_torch(spec: LayerSpec, bias_spec: LayerSpec | None, name: str) -> str:
    d = _DIALECTS["torch"]
    parts = [_header(spec, bias_spec, "torch", f"torch module {name}", size_free=True),
             "import torch\nfrom torch import nn\n\n", _data(spec, bias_spec, size_free=True),
             _axes_tables(spec, bias_spec), "\n" + _TORCH_BUILDERS, "\n" + _helpers("torch"),
             "\n\n" + _op_functions(d, spec, "")]
    if bias_spec is not None:
        parts.append("\n\n" + _op_functions(d, bias_spec, "bias_"))
    i2 = "        "
    init = _torch_class_head(spec, bias_spec, name, ", for any n")
    init += [
        f"{i2}self.reset_parameters()",
        "",
        "    def reset_parameters(self) -> None:",
        f'{i2}"""Normal weights of variance 1 / (in_channels * NUM_BASIS); zero bias."""',
        f"{i2}std = max(self.in_channels * NUM_BASIS, 1) ** -0.5  # no weights: any std",
        f"{i2}nn.init.normal_(self.weight, std=std)",
        f"{i2}if self.bias is not None:",
        f"{i2}    nn.init.zeros_(self.bias)",
        "",
        "    def forward(self, x: torch.Tensor, mask=None, n=None) -> torch.Tensor:",
        f'{i2}"""x: (batch, in_channels) + (n,) * K -> (batch, out_channels) + (n,) * L.',
        "",
        f"{i2}mask: optional (batch, n) bool tensor of real nodes; n: needed only when K = 0",
        f"{i2}and no mask is given.",
        f'{i2}"""',
        f"{i2}n = _node_count(x, mask, n)",
        _CHANNELS.format(i=i2, channels="self.in_channels"),
        *_mask_in(i2, "torch"),
    ]
    if is_identity_coefficients(spec):
        init.append(f"{i2}w_eff = self.weight  # C is the identity")
    else:
        init.append(f"{i2}dtype = self.weight.dtype")
        init.append(f"{i2}w_eff = self.weight @ _ratio(self.coeffs_num, self.coeffs_den, dtype)")
    init += _index_lines(spec, "", i2, ", x.device")
    init.append(f"{i2}y = x.new_zeros((x.shape[0], self.out_channels) + (n,) * L)")
    init += _op_calls(d, spec, "", "w_eff", {}, "index_{t}", i2)
    if bias_spec is not None:
        init += [f"{i2}if self.bias is not None:", f"{i2}    y = y + self._bias_term(n)"]
    init += _mask_out(i2)
    init.append(f"{i2}return y")
    if bias_spec is not None:
        init += [
            "",
            "    def _bias_term(self, n: int) -> torch.Tensor:",
            f'{i2}"""sum_c bias[:, c] E_c as a (1, out_channels) + (n,) * L tensor."""',
            f"{i2}dtype = self.bias.dtype",
            f"{i2}coeffs = _ratio(self.bias_coeffs_num, self.bias_coeffs_den, dtype)",
            f"{i2}w_eff = (self.bias @ coeffs)[:, None, :]",
            f"{i2}x = self.bias.new_ones((1, 1))",
            *_index_lines(bias_spec, "BIAS_", i2, ", x.device"),
            f"{i2}y = x.new_zeros((1, self.out_channels) + (n,) * L)",
            *_op_calls(d, bias_spec, "bias_", "w_eff", {}, "bias_index_{t}", i2),
            f"{i2}return y",
        ]
    parts.append("\n".join(init))
    return _join(parts)


# -- numpy and JAX ----------------------------------------------------------------------------
def _emit_array(spec: LayerSpec, bias_spec: LayerSpec | None, name: str, target: str) -> str:
    jax = target == "jax"
    lib = "jnp" if jax else "np"
    d = _DIALECTS[target]
    what = f"JAX function {name} (+ {name}_init)" if jax else f"NumPy function {name}"
    imports = "import jax\nimport jax.numpy as jnp\nimport numpy as np\n\n" if jax else \
        "import numpy as np\n\n"
    parts = [_header(spec, bias_spec, "JAX" if jax else "numpy", what, size_free=True), imports,
             _data(spec, bias_spec, size_free=True), _axes_tables(spec, bias_spec),
             "\n" + _NP_BUILDERS, "\n\n" + _np_tables(spec, bias_spec),
             "\n" + (_JAX_SCATTER if jax else _NP_SCATTER), "\n" + _helpers(lib),
             "\n\n" + _op_functions(d, spec, "")]
    if bias_spec is not None:
        parts.append("\n\n" + _op_functions(d, bias_spec, "bias_"))
    i1 = "    "
    asarr = (lambda v: f"jnp.asarray({v}, dtype=dtype)") if jax else (lambda v: f"{v}.astype(dtype)")
    pre = []
    if bias_spec is not None:
        pre = [
            "def _bias_term(bias, n):",
            '    """sum_c bias[:, c] E_c as a (1, out_channels) + (n,) * L array."""',
            f"{i1}dtype = bias.dtype",
            f"{i1}w_eff = (bias @ {asarr('_BIAS_COEFFS')})[:, None, :]",
            f"{i1}x = {lib}.ones((1, 1), dtype=dtype)",
            *_index_lines(bias_spec, "BIAS_", i1, ""),
            f"{i1}y = {lib}.zeros((1, bias.shape[0]) + (n,) * L, dtype=dtype)",
            *_op_calls(d, bias_spec, "bias_", "w_eff", {}, "bias_index_{t}", i1),
            f"{i1}return y",
            "",
            "",
        ]
    args = ["params", "x", "mask=None", "n=None"] if jax else \
        ["weight", "x", "bias=None", "mask=None", "n=None"]
    body = [
        call("def ", name, args, "") + ":",
        '    """Apply the layer described in the module docstring at the n of the input.',
        "",
        "    Parameters",
        "    ----------",
        *(['    params : dict with "weight" (out_channels, in_channels, NUM_BASIS) and',
           '        optionally "bias" (out_channels, NUM_BIAS), see the init function']
          if jax else
          ["    weight : array of shape (out_channels, in_channels, NUM_BASIS)"]),
        "    x : array of shape (batch, in_channels) + (n,) * K",
        *([] if jax else ["    bias : array of shape (out_channels, NUM_BIAS), optional"]),
        "    mask : bool array of shape (batch, n), optional",
        "        Real nodes: padded inputs and outputs are zeroed.",
        "    n : int, optional",
        "        Needed only when K = 0 and no mask is given.",
        "",
        "    Returns",
        "    -------",
        "    array of shape (batch, out_channels) + (n,) * L",
        '    """',
    ]
    if jax:
        body += [f'{i1}weight = params["weight"]',
                 f"{i1}n = _node_count(x, mask, n)",
                 _CHANNELS.format(i=i1, channels="weight.shape[1]"),
                 f"{i1}dtype = jnp.result_type(x, weight)",
                 f"{i1}x = jnp.asarray(x, dtype=dtype)"]
    else:
        body += [f"{i1}x = np.asarray(x)",
                 f"{i1}weight = np.asarray(weight)",
                 f"{i1}mask = None if mask is None else np.asarray(mask)",
                 f"{i1}if weight.ndim != 3 or weight.shape[2] != NUM_BASIS:",
                 f'{i1}    msg = f"weight: expected shape (out, in, {{NUM_BASIS}}), got {{weight.shape}}"',
                 f"{i1}    raise ValueError(msg)",
                 f"{i1}n = _node_count(x, mask, n)",
                 _CHANNELS.format(i=i1, channels="weight.shape[1]"),
                 f"{i1}dtype = np.result_type(x.dtype, weight.dtype, np.float32)",
                 f"{i1}x = x.astype(dtype, copy=False)"]
    body += _mask_in(i1, lib)
    if is_identity_coefficients(spec):
        body.append(f"{i1}w_eff = {asarr('weight')}  # C is the identity")
    else:
        body.append(f"{i1}w_eff = {asarr('weight')} @ {asarr('_COEFFS')}")
    body += _index_lines(spec, "", i1, "")
    body.append(f"{i1}y = {lib}.zeros((x.shape[0], weight.shape[0]) + (n,) * L, dtype=dtype)")
    body += _op_calls(d, spec, "", "w_eff", {}, "index_{t}", i1)
    if bias_spec is not None:
        if jax:
            body += [f'{i1}if params.get("bias") is not None:',
                     f'{i1}    y = y + _bias_term(jnp.asarray(params["bias"], dtype=dtype), n)']
        else:
            body += [f"{i1}if bias is not None:",
                     f"{i1}    y += _bias_term(np.asarray(bias, dtype=dtype), n)"]
    body += _mask_out(i1)
    body.append(f"{i1}return y")
    if jax:
        body += [
            "",
            "",
            *_jax_init_lines(name, i1),
        ]
    parts.append("\n".join(pre + body))
    return _join(parts)


def emit_size_free(target: str, spec: LayerSpec, bias_spec: LayerSpec | None, name: str) -> str:
    """Source of the size-free module for ``target`` (spec: the layer at any n >= 2, with no
    constants; its operations and coefficients hold for every n)."""
    if target == "torch":
        return _emit_torch(spec, bias_spec, name)
    return _emit_array(spec, bias_spec, name, target)
