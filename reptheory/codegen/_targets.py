"""The three emitters (torch, JAX, NumPy) assembling a module from the shared pieces."""

from __future__ import annotations

from ..layers import LayerSpec
from ._emit import call, is_identity_coefficients
from ._generate import (
    _data,
    _diagonal_indices,
    _header,
    _op_calls,
    _op_functions,
    strides_literal,
    tables,
)

__all__ = ["emit"]

_MIX = '"oi,bi...->bo..."'


class _Torch:
    lib = "torch"

    def einsum(self, prefix: str, subs: str, operands: list[str]) -> str:
        return call(prefix, "torch.einsum", [f'"{subs}"', *operands], "    ")

    def mix(self, src: str) -> str:
        return f"    r = _mix(w, {src})"

    accumulate = "y += r"


class _Jax(_Torch):
    lib = "jnp"

    def einsum(self, prefix: str, subs: str, operands: list[str]) -> str:
        return call(prefix, "jnp.einsum", [f'"{subs}"', *operands], "    ")

    def mix(self, src: str) -> str:
        return f"    r = jnp.einsum({_MIX}, w, {src})"

    accumulate = "y = y + r"


class _Numpy(_Torch):
    lib = "np"

    def einsum(self, prefix: str, subs: str, operands: list[str]) -> str:
        return call(prefix, "np.einsum", [f'"{subs}"', *operands, "optimize=True"], "    ")

    def mix(self, src: str) -> str:
        return f"    r = np.moveaxis(np.tensordot(w, {src}, axes=(1, 1)), 0, 1)"

    accumulate = "y += r"


_DIALECTS = {"torch": _Torch(), "jax": _Jax(), "numpy": _Numpy()}


# -- helpers emitted into the generated modules ----------------------------------------------
_NP_DENSE = '''
def _dense(shape, entries):
    """A float64 array from its (index, numerator, denominator) entries."""
    out = np.zeros(shape, dtype=np.float64)
    for index, p, q in entries:
        out[index] = p / q
    return out
'''

_NP_FLAT_INDEX = '''

def _flat_index(strides):
    """Flat positions sum_u i_u * strides[u] for all (i_1, ..., i_m) in range(N)^m."""
    index = np.zeros((), dtype=np.int64)
    for s in strides:
        index = index[..., None] + np.arange(N, dtype=np.int64) * s
    return index.reshape(-1)
'''

_NP_BUILDERS = _NP_DENSE + _NP_FLAT_INDEX

_TORCH_EXACT = '''
def _exact(shape, entries):
    """Integer numerator and denominator tensors from (index, p, q) entries."""
    num = torch.zeros(shape, dtype=torch.int64)
    den = torch.ones(shape, dtype=torch.int64)
    for index, p, q in entries:
        num[index] = p
        den[index] = q
    return num, den


def _ratio(num, den, dtype):
    """The exact table num / den rounded once to a floating dtype."""
    return num.to(dtype) / den.to(dtype)
'''

_TORCH_FLAT_INDEX = '''

def _flat_index(strides):
    """Flat positions sum_u i_u * strides[u] for all (i_1, ..., i_m) in range(N)^m."""
    index = torch.zeros((), dtype=torch.int64)
    for s in strides:
        index = index[..., None] + torch.arange(N, dtype=torch.int64) * s
    return index.reshape(-1)
'''

_TORCH_MIX_SCATTER = '''

def _mix(w, r):
    """sum_i w[o, i] r[b, i, ...]: channel mixing as one batched matmul."""
    flat = r.reshape(r.shape[0], r.shape[1], -1)
    out = torch.bmm(w.expand(r.shape[0], -1, -1), flat)
    return out.reshape(r.shape[0], w.shape[0], *r.shape[2:])


def _scatter_add(y, r, index):
    """Add r at the flat positions index of y's last L axes (a diagonal), in place."""
    r = r.expand(*r.shape[:2], *([y.shape[-1]] * (r.dim() - 2)))
    flat = y.view(y.shape[0], y.shape[1], -1)
    flat.index_add_(2, index, r.reshape(r.shape[0], r.shape[1], -1))
    return y
'''

_TORCH_BUILDERS = _TORCH_EXACT + _TORCH_FLAT_INDEX + _TORCH_MIX_SCATTER

_NP_SCATTER = '''
def _scatter_add(y, r, index):
    """Add r at the flat positions index of y's last L axes (a diagonal), in place."""
    r = np.broadcast_to(r, r.shape[:2] + (y.shape[-1],) * (r.ndim - 2))
    flat = y.reshape(y.shape[0], y.shape[1], -1)  # a view: y is C-contiguous
    flat[:, :, index] += r.reshape(r.shape[0], r.shape[1], -1)
    return y
'''

_JAX_SCATTER = '''
def _scatter_add(y, r, index):
    """y plus r written at the flat positions index of y's last L axes (a diagonal)."""
    r = jnp.broadcast_to(r, r.shape[:2] + (y.shape[-1],) * (r.ndim - 2))
    flat = y.reshape(y.shape[0], y.shape[1], -1)
    flat = flat.at[:, :, index].add(r.reshape(r.shape[0], r.shape[1], -1))
    return flat.reshape(y.shape)
'''


def _np_tables(spec: LayerSpec, bias_spec: LayerSpec | None) -> str:
    """Module-level numpy arrays built at import (numpy and JAX targets)."""
    lines = []
    for var, _, _, _ in tables(spec, bias_spec):
        lines.append(call(f"{var} = ", "_dense", [f"{var}_SHAPE", f"{var}_ENTRIES"], ""))
    for prefix, sp in (("", spec), ("BIAS_", bias_spec)):
        if sp is None:
            continue
        for t, strides, lhs in _diagonal_indices(sp)[0]:
            lines.append(f"_{prefix}INDEX_{t} = _flat_index({strides_literal(strides)})  # {lhs}")
    return "\n".join(lines) + "\n" if lines else ""


_CHECK = '''
def _check_input(x, channels):
    """Raise ValueError unless x has shape (batch, channels) + (N,) * K."""
    if x.ndim != 2 + K or tuple(x.shape[2:]) != (N,) * K:
        msg = f"x: expected shape (batch, channels) + {(N,) * K}, got {x.shape}"
        raise ValueError(msg)
    if x.shape[1] != channels:
        raise ValueError(f"x has {x.shape[1]} channels, expected {channels}")
'''


def _check_lines(indent: str, x: str, in_channels: str) -> list[str]:
    return [f"{indent}_check_input({x}, {in_channels})"]


def _buffer(var: str) -> str:
    """Torch buffer name of a table variable: _COEFFS -> coeffs, _BIAS_CONST_J -> bias_const_J."""
    v = var.lstrip("_")
    for prefix in ("BIAS_CONST_", "CONST_"):
        if v.startswith(prefix):
            return prefix.lower() + v[len(prefix):]
    return v.lower()


def _jax_init_lines(name: str, i1: str) -> list[str]:
    """The generated JAX module's ``<name>_init(key, ...)``: normal weights, zero bias."""
    return [
        call("def ", f"{name}_init",
             ["key", "in_channels", "out_channels", "bias=True", "dtype=jnp.float32"], "") + ":",
        '    """Parameters for the layer: normal weights of variance',
        "    1 / (in_channels * NUM_BASIS) and (if bias and NUM_BIAS > 0) a zero bias.",
        '    """',
        f"{i1}std = max(in_channels * NUM_BASIS, 1) ** -0.5  # no weights: any std",
        f"{i1}shape = (out_channels, in_channels, NUM_BASIS)",
        f'{i1}params = {{"weight": std * jax.random.normal(key, shape, dtype)}}',
        f"{i1}if bias and NUM_BIAS > 0:",
        f'{i1}    params["bias"] = jnp.zeros((out_channels, NUM_BIAS), dtype)',
        f"{i1}return params",
    ]


def _torch_class_head(spec: LayerSpec, bias_spec: LayerSpec | None, name: str,
                      doc_suffix: str) -> list[str]:
    """The generated torch module's class line, docstring, parameters and constant buffers."""
    i2 = "        "
    init = [
        f"class {name}(nn.Module):",
        f'    """The equivariant layer described in the module docstring{doc_suffix}.',
        "",
        "    Parameters",
        "    ----------",
        "    in_channels, out_channels : int",
        "        Channel counts; ``weight`` has shape (out_channels, in_channels, NUM_BASIS).",
        "    bias : bool",
        "        Add the equivariant bias, shape (out_channels, NUM_BIAS) (none if NUM_BIAS = 0).",
        '    """',
        "",
        "    def __init__(self, in_channels: int, out_channels: int, bias: bool = True) -> None:",
        f"{i2}super().__init__()",
        f"{i2}self.in_channels = in_channels",
        f"{i2}self.out_channels = out_channels",
        f"{i2}shape = (out_channels, in_channels, NUM_BASIS)",
        f"{i2}self.weight = nn.Parameter(torch.empty(shape))",
        f"{i2}if bias and NUM_BIAS > 0:",
        f"{i2}    self.bias = nn.Parameter(torch.empty(out_channels, NUM_BIAS))",
        f"{i2}else:",
        f'{i2}    self.register_parameter("bias", None)',
    ]
    for var, _, _, _ in tables(spec, bias_spec):
        init.append(call("num, den = ", "_exact", [f"{var}_SHAPE", f"{var}_ENTRIES"], i2))
        init.append(f'{i2}self.register_buffer("{_buffer(var)}_num", num, persistent=False)')
        init.append(f'{i2}self.register_buffer("{_buffer(var)}_den", den, persistent=False)')
    return init


# -- torch ------------------------------------------------------------------------------------
def _emit_torch(spec: LayerSpec, bias_spec: LayerSpec | None, name: str) -> str:
    d = _DIALECTS["torch"]
    parts = [_header(spec, bias_spec, "torch", f"torch module {name}"), "import torch\nfrom torch import nn\n\n",
             _data(spec, bias_spec), "\n" + _TORCH_BUILDERS, "\n" + _CHECK]
    parts.append("\n\n" + _op_functions(d, spec, ""))
    if bias_spec is not None:
        parts.append("\n\n" + _op_functions(d, bias_spec, "bias_"))
    i2 = "        "
    init = _torch_class_head(spec, bias_spec, name, "")
    for prefix, sp in (("", spec), ("BIAS_", bias_spec)):
        if sp is None:
            continue
        low = prefix.lower()
        for t, strides, lhs in _diagonal_indices(sp)[0]:
            init.append(f"{i2}index = _flat_index({strides_literal(strides)})  # {lhs}")
            init.append(f'{i2}self.register_buffer("{low}index_{t}", index, persistent=False)')
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
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
        f'{i2}"""x: (batch, in_channels) + (N,) * K -> (batch, out_channels) + (N,) * L."""',
        *_check_lines(i2, "x", "self.in_channels"),
    ]
    if spec.constants or not is_identity_coefficients(spec):
        init.append(f"{i2}dtype = self.weight.dtype")
    if is_identity_coefficients(spec):
        init.append(f"{i2}w_eff = self.weight  # C is the identity")
    else:
        init.append(f"{i2}w_eff = self.weight @ _ratio(self.coeffs_num, self.coeffs_den, dtype)")
    for c in spec.constants:
        b = _buffer(f"_CONST_{c.name}")
        init.append(call(f"c_{c.name} = ", "_ratio", [f"self.{b}_num", f"self.{b}_den", "dtype"], i2))
    init.append(f"{i2}y = x.new_zeros((x.shape[0], self.out_channels) + (N,) * L)")
    consts = {c.name: f"c_{c.name}" for c in spec.constants}
    init += _op_calls(d, spec, "", "w_eff", consts, "self.index_{t}", i2)
    if bias_spec is not None:
        init += [f"{i2}if self.bias is not None:", f"{i2}    y = y + self._bias_term()"]
    init.append(f"{i2}return y")
    if bias_spec is not None:
        bconsts = {c.name: f"c_{c.name}" for c in bias_spec.constants}
        init += [
            "",
            "    def _bias_term(self) -> torch.Tensor:",
            f'{i2}"""sum_c bias[:, c] E_c as a (1, out_channels) + (N,) * L tensor."""',
            f"{i2}dtype = self.bias.dtype",
            f"{i2}coeffs = _ratio(self.bias_coeffs_num, self.bias_coeffs_den, dtype)",
            f"{i2}w_eff = (self.bias @ coeffs)[:, None, :]",
            *[call(f"c_{c.name} = ", "_ratio", [f"self.{_buffer('_BIAS_CONST_' + c.name)}_num",
                                                 f"self.{_buffer('_BIAS_CONST_' + c.name)}_den",
                                                 "dtype"], i2)
              for c in bias_spec.constants],
            f"{i2}x = self.bias.new_ones((1, 1))",
            f"{i2}y = x.new_zeros((1, self.out_channels) + (N,) * L)",
            *_op_calls(d, bias_spec, "bias_", "w_eff", bconsts, "self.bias_index_{t}", i2),
            f"{i2}return y",
        ]
    parts.append("\n".join(init))
    return _join(parts)


# -- numpy ------------------------------------------------------------------------------------
def _emit_numpy(spec: LayerSpec, bias_spec: LayerSpec | None, name: str) -> str:
    d = _DIALECTS["numpy"]
    parts = [_header(spec, bias_spec, "numpy", f"NumPy function {name}"), "import numpy as np\n\n",
             _data(spec, bias_spec), "\n" + _NP_BUILDERS, "\n\n" + _np_tables(spec, bias_spec),
             "\n" + _NP_SCATTER, "\n" + _CHECK, "\n\n" + _op_functions(d, spec, "")]
    if bias_spec is not None:
        parts.append("\n\n" + _op_functions(d, bias_spec, "bias_"))
    i1 = "    "
    body = [
        call("def ", name, ["weight", "x", "bias=None"], "") + ":",
        '    """Apply the layer described in the module docstring.',
        "",
        "    Parameters",
        "    ----------",
        "    weight : array of shape (out_channels, in_channels, NUM_BASIS)",
        "    x : array of shape (batch, in_channels) + (N,) * K",
        "    bias : array of shape (out_channels, NUM_BIAS), optional",
        "",
        "    Returns",
        "    -------",
        "    array of shape (batch, out_channels) + (N,) * L",
        '    """',
        f"{i1}x = np.asarray(x)",
        f"{i1}weight = np.asarray(weight)",
        f"{i1}if weight.ndim != 3 or weight.shape[2] != NUM_BASIS:",
        f'{i1}    msg = f"weight: expected shape (out, in, {{NUM_BASIS}}), got {{weight.shape}}"',
        f"{i1}    raise ValueError(msg)",
        *_check_lines(i1, "x", "weight.shape[1]"),
        f"{i1}dtype = np.result_type(x.dtype, weight.dtype, np.float32)",
        f"{i1}x = x.astype(dtype, copy=False)",
    ]
    if is_identity_coefficients(spec):
        body.append(f"{i1}w_eff = weight.astype(dtype)  # C is the identity")
    else:
        body.append(f"{i1}w_eff = weight.astype(dtype) @ _COEFFS.astype(dtype)")
    for c in spec.constants:
        body.append(f"{i1}c_{c.name} = _CONST_{c.name}.astype(dtype)")
    body.append(f"{i1}y = np.zeros((x.shape[0], weight.shape[0]) + (N,) * L, dtype=dtype)")
    consts = {c.name: f"c_{c.name}" for c in spec.constants}
    body += _op_calls(d, spec, "", "w_eff", consts, "_INDEX_{t}", i1)
    if bias_spec is not None:
        body += [f"{i1}if bias is not None:", f"{i1}    y += _bias_term(np.asarray(bias, dtype=dtype))"]
    body.append(f"{i1}return y")
    pre = []
    if bias_spec is not None:
        pre = [
            "def _bias_term(bias):",
            '    """sum_c bias[:, c] E_c as a (1, out_channels) + (N,) * L array."""',
            f"{i1}dtype = bias.dtype",
            f"{i1}w_eff = (bias @ _BIAS_COEFFS.astype(dtype))[:, None, :]",
            *[f"{i1}c_{c.name} = _BIAS_CONST_{c.name}.astype(dtype)" for c in bias_spec.constants],
            f"{i1}x = np.ones((1, 1), dtype=dtype)",
            f"{i1}y = np.zeros((1, bias.shape[0]) + (N,) * L, dtype=dtype)",
            *_op_calls(d, bias_spec, "bias_", "w_eff", {c.name: f"c_{c.name}" for c in bias_spec.constants},
                       "_BIAS_INDEX_{t}", i1),
            f"{i1}return y",
            "",
            "",
        ]
    parts.append("\n".join(pre + body))
    return _join(parts)


# -- JAX --------------------------------------------------------------------------------------
def _emit_jax(spec: LayerSpec, bias_spec: LayerSpec | None, name: str) -> str:
    d = _DIALECTS["jax"]
    parts = [_header(spec, bias_spec, "JAX", f"JAX function {name} (+ {name}_init, FlaxLayer)"),
             "import jax\nimport jax.numpy as jnp\nimport numpy as np\n\n",
             _data(spec, bias_spec), "\n" + _NP_BUILDERS, "\n\n" + _np_tables(spec, bias_spec),
             "\n" + _JAX_SCATTER, "\n" + _CHECK, "\n\n" + _op_functions(d, spec, "")]
    if bias_spec is not None:
        parts.append("\n\n" + _op_functions(d, bias_spec, "bias_"))
    i1 = "    "
    pre = []
    if bias_spec is not None:
        pre = [
            "def _bias_term(bias):",
            '    """sum_c bias[:, c] E_c as a (1, out_channels) + (N,) * L array."""',
            f"{i1}dtype = bias.dtype",
            f"{i1}w_eff = (bias @ jnp.asarray(_BIAS_COEFFS, dtype=dtype))[:, None, :]",
            *[f"{i1}c_{c.name} = jnp.asarray(_BIAS_CONST_{c.name}, dtype=dtype)"
              for c in bias_spec.constants],
            f"{i1}x = jnp.ones((1, 1), dtype=dtype)",
            f"{i1}y = jnp.zeros((1, bias.shape[0]) + (N,) * L, dtype=dtype)",
            *_op_calls(d, bias_spec, "bias_", "w_eff", {c.name: f"c_{c.name}" for c in bias_spec.constants},
                       "_BIAS_INDEX_{t}", i1),
            f"{i1}return y",
            "",
            "",
        ]
    body = [
        call("def ", name, ["params", "x"], "") + ":",
        '    """Apply the layer described in the module docstring (a pure function).',
        "",
        "    Parameters",
        "    ----------",
        '    params : dict with "weight" (out_channels, in_channels, NUM_BASIS) and',
        '        optionally "bias" (out_channels, NUM_BIAS), see the init function',
        "    x : array of shape (batch, in_channels) + (N,) * K",
        "",
        "    Returns",
        "    -------",
        "    array of shape (batch, out_channels) + (N,) * L",
        '    """',
        f'{i1}weight = params["weight"]',
        *_check_lines(i1, "x", "weight.shape[1]"),
        f"{i1}dtype = jnp.result_type(x, weight)",
        f"{i1}x = jnp.asarray(x, dtype=dtype)",
    ]
    if is_identity_coefficients(spec):
        body.append(f"{i1}w_eff = jnp.asarray(weight, dtype=dtype)  # C is the identity")
    else:
        body.append(f"{i1}w_eff = weight @ jnp.asarray(_COEFFS, dtype=dtype)")
    for c in spec.constants:
        body.append(f"{i1}c_{c.name} = jnp.asarray(_CONST_{c.name}, dtype=dtype)")
    body.append(f"{i1}y = jnp.zeros((x.shape[0], weight.shape[0]) + (N,) * L, dtype=dtype)")
    consts = {c.name: f"c_{c.name}" for c in spec.constants}
    body += _op_calls(d, spec, "", "w_eff", consts, "_INDEX_{t}", i1)
    if bias_spec is not None:
        body += [f'{i1}if params.get("bias") is not None:',
                 f'{i1}    y = y + _bias_term(jnp.asarray(params["bias"], dtype=dtype))']
    body.append(f"{i1}return y")
    body += [
        "",
        "",
        *_jax_init_lines(name, i1),
        "",
        "",
        "try:",
        "    from flax import linen as _linen",
        "except ImportError:  # flax is optional: then only the pure functions exist",
        "    _linen = None",
        "",
        "if _linen is not None:",
        "",
        "    class FlaxLayer(_linen.Module):",
        f'        """Flax module around {name}: params "weight" and optionally "bias"."""',
        "",
        "        out_channels: int",
        "        use_bias: bool = True",
        "",
        "        @_linen.compact",
        "        def __call__(self, x):",
        "            std = max(x.shape[1] * NUM_BASIS, 1) ** -0.5",
        "            init = _linen.initializers.normal(std)",
        "            shape = (self.out_channels, x.shape[1], NUM_BASIS)",
        '            params = {"weight": self.param("weight", init, shape)}',
        "            if self.use_bias and NUM_BIAS > 0:",
        "                init = _linen.initializers.zeros",
        "                shape = (self.out_channels, NUM_BIAS)",
        '                params["bias"] = self.param("bias", init, shape)',
        call("return ", name, ["params", "x"], "            "),
    ]
    parts.append("\n".join(pre + body))
    return _join(parts)


def _join(parts: list[str]) -> str:
    """Docstring, imports, data (one blank line apart), then chunks two blank lines apart."""
    chunks = [p.strip("\n") for p in parts if p.strip("\n")]
    head = chunks[0] + "\n\n" + chunks[1] + "\n\n" + chunks[2]
    return head + "\n\n\n" + "\n\n\n".join(chunks[3:]) + "\n"


def emit(target: str, spec: LayerSpec, bias_spec: LayerSpec | None, name: str) -> str:
    """Source of the module for ``target``."""
    return {"torch": _emit_torch, "numpy": _emit_numpy, "jax": _emit_jax}[target](spec, bias_spec, name)
