"""Emitters of the generated SO(3) tensor-product modules (torch, JAX, NumPy).

The code is written from fixed templates in which only ``TPNAME`` (a validated identifier) and
integer data are substituted; the layout is what ``ruff format`` produces at line lengths 88
and 100.
"""

from __future__ import annotations

from ._emit import seq

__all__ = ["emit_cg", "emit_gaunt"]

_IMPORTS = {
    "torch": "import math\n\nimport torch\nfrom torch import nn\n",
    "jax": "import math\n\nimport jax.numpy as jnp\nimport numpy as np\n",
    "numpy": "import math\n\nimport numpy as np\n",
}

_CHECK_SHAPES = '''

def _check_shapes(s1, s2):
    """Raise ValueError unless x1, x2 have shapes (..., D1), (..., D2), same leading shape."""
    s1, s2 = tuple(s1), tuple(s2)
    if len(s1) < 1 or s1[-1] != D1:
        msg = f"x1 must have shape (..., {D1}) (degrees 0..{L1}), got {s1}"
        raise ValueError(msg)
    if len(s2) < 1 or s2[-1] != D2:
        msg = f"x2 must have shape (..., {D2}) (degrees 0..{L2}), got {s2}"
        raise ValueError(msg)
    if s1[:-1] != s2[:-1]:
        msg = f"x1 and x2 must have the same leading shape, got {s1} and {s2}"
        raise ValueError(msg)
'''

_CHECK_WEIGHT = '''

def _check_weight(ws, s1):
    """Raise ValueError unless the weight has shape (NUM_PATHS,) or (NUM_PATHS, channels)."""
    ws = tuple(ws)
    if ws == (NUM_PATHS,):
        return
    if len(ws) == 2 and ws[0] == NUM_PATHS and len(s1) >= 2 and ws[1] == s1[-2]:
        return
    msg = (
        f"weight must have shape ({NUM_PATHS},) or ({NUM_PATHS}, channels) for inputs "
        f"(..., channels, d), got {ws} for inputs of shape {tuple(s1)}"
    )
    raise ValueError(msg)
'''

_CG_DATA_TAIL = '''

def _value(num, den):
    """The exact value s * sqrt(num / den), rounded once (num carries the sign s)."""
    return math.copysign(math.sqrt(abs(num) / den), num)


_COLUMNS = tuple(zip(*_ENTRIES))
_COEFF = [_value(e[4], e[5]) for e in _ENTRIES]
'''

_CG_TORCH = '''

class TPNAME(nn.Module):
    """CG tensor product (..., D1) x (..., D2) -> (..., D_OUT) with per-path weights.

    channels=None: one weight per path, shape (NUM_PATHS,); otherwise one weight per path and
    channel, shape (NUM_PATHS, channels), for inputs of shape (..., channels, d).  Weights
    start at 1.  The coefficients are kept in float64 and cast to the input dtype per call.
    """

    def __init__(self, channels=None):
        super().__init__()
        if channels is None:
            shape = (NUM_PATHS,)
        else:
            shape = (NUM_PATHS, int(channels))
        self.weight = nn.Parameter(torch.ones(shape))
        names = ("index_out", "path", "index1", "index2")
        for attr, col in zip(names, _COLUMNS[:4]):
            t = torch.tensor(col, dtype=torch.int64)
            self.register_buffer(attr, t, persistent=False)
        c = torch.tensor(_COEFF, dtype=torch.float64)
        self.register_buffer("coeff", c, persistent=False)

    def forward(self, x1, x2):
        _check_shapes(x1.shape, x2.shape)
        _check_weight(self.weight.shape, x1.shape)
        w = self.weight.to(x1.dtype)
        c = self.coeff.to(x1.dtype)
        if w.ndim == 1:
            vals = c * w[self.path]
        else:
            vals = (c[:, None] * w[self.path]).T
        prod = x1[..., self.index1] * x2[..., self.index2] * vals
        out = x1.new_zeros(prod.shape[:-1] + (D_OUT,))
        return out.index_add(-1, self.index_out, prod)
'''

_CG_ARRAYS = '''
_INDEX_OUT = np.array(_COLUMNS[0], dtype=np.int64)
_PATH = np.array(_COLUMNS[1], dtype=np.int64)
_INDEX1 = np.array(_COLUMNS[2], dtype=np.int64)
_INDEX2 = np.array(_COLUMNS[3], dtype=np.int64)
_COEFF_ARRAY = np.array(_COEFF, dtype=np.float64)
'''

_CG_NUMPY = _CG_ARRAYS + '''_STARTS = np.flatnonzero(np.diff(_INDEX_OUT, prepend=-1))
_KEYS = _INDEX_OUT[_STARTS]


def TPNAME(
    x1,
    x2,
    weight=None,
):
    """CG tensor product (..., D1) x (..., D2) -> (..., D_OUT) with per-path weights.

    weight: None (all paths weight 1), shape (NUM_PATHS,), or (NUM_PATHS, channels) for
    inputs of shape (..., channels, d).  Computes in float32 if both inputs are float32,
    else float64.
    """
    x1 = np.asarray(x1)
    x2 = np.asarray(x2)
    _check_shapes(x1.shape, x2.shape)
    dtype = np.result_type(x1, x2, np.float32)
    c = _COEFF_ARRAY.astype(dtype)
    if weight is None:
        vals = c
    else:
        w = np.asarray(weight, dtype=dtype)
        _check_weight(w.shape, x1.shape)
        if w.ndim == 1:
            vals = c * w[_PATH]
        else:
            vals = (c[:, None] * w[_PATH]).T
    prod = x1.astype(dtype)[..., _INDEX1] * x2.astype(dtype)[..., _INDEX2] * vals
    out = np.zeros(prod.shape[:-1] + (D_OUT,), dtype=dtype)
    out[..., _KEYS] = np.add.reduceat(prod, _STARTS, axis=-1)
    return out
'''

_CG_JAX = _CG_ARRAYS + '''

def TPNAME(
    x1,
    x2,
    weight=None,
):
    """CG tensor product (..., D1) x (..., D2) -> (..., D_OUT) with per-path weights.

    Pure and jit-able.  weight: None (all paths weight 1), shape (NUM_PATHS,), or
    (NUM_PATHS, channels) for inputs of shape (..., channels, d).
    """
    x1 = jnp.asarray(x1)
    x2 = jnp.asarray(x2)
    _check_shapes(x1.shape, x2.shape)
    dtype = jnp.result_type(x1, x2, jnp.float32)
    c = jnp.asarray(_COEFF_ARRAY, dtype=dtype)
    if weight is None:
        vals = c
    else:
        w = jnp.asarray(weight, dtype=dtype)
        _check_weight(w.shape, x1.shape)
        if w.ndim == 1:
            vals = c * w[_PATH]
        else:
            vals = (c[:, None] * w[_PATH]).T
    prod = x1.astype(dtype)[..., _INDEX1] * x2.astype(dtype)[..., _INDEX2] * vals
    out = jnp.zeros(prod.shape[:-1] + (D_OUT,), dtype=dtype)
    return out.at[..., _INDEX_OUT].add(prod)
'''


def _sizes(L1: int, L2: int, L_out: int) -> str:
    return (
        f"L1 = {L1}\nL2 = {L2}\nL_OUT = {L_out}\n"
        f"D1 = {(L1 + 1) ** 2}\nD2 = {(L2 + 1) ** 2}\nD_OUT = {(L_out + 1) ** 2}\n"
    )


def _fill(template: str, name: str) -> str:
    return template.replace("TPNAME", name)


def emit_cg(head: str, target: str, name: str, L1: int, L2: int, L_out: int,
            paths: tuple, entries: list) -> str:
    """Source of the CG product module."""
    parts = [head, "\n", _IMPORTS[target], "\n", _sizes(L1, L2, L_out)]
    parts.append(f"NUM_PATHS = {len(paths)}\nNUM_ENTRIES = {len(entries)}\n")
    parts.append("\n# coupling paths (l1, l2, l3), in the order of the weights\n")
    parts.append("PATHS = " + seq([f"({a}, {b}, {c})" for a, b, c in paths], "") + "\n")
    parts.append("\n# (k, path, i, j, s*num, den): C[i, j, k] of the path is s * sqrt(num / den)\n")
    parts.append(
        "_ENTRIES = " + seq([f"({k}, {p}, {i}, {j}, {n}, {d})" for k, p, i, j, n, d in entries], "")
        + "\n"
    )
    parts.append(_CG_DATA_TAIL)
    if target == "torch":
        body = _CG_TORCH
    elif target == "jax":
        body = "\n" + _CG_JAX
    else:
        body = "\n" + _CG_NUMPY
    parts += [_CHECK_SHAPES, _CHECK_WEIGHT, _fill(body, name)]
    return "".join(parts)


_GAUNT_RECIPES = '''

def _gauss_legendre(n):
    """Nodes and weights of n-point Gauss-Legendre quadrature on [-1, 1] (Newton)."""
    nodes = []
    weights = []
    for i in range(n):
        z = math.cos(math.pi * (i + 0.75) / (n + 0.5))
        for _ in range(100):
            p0, p1 = 1.0, z
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k
            dp = n * (z * p1 - p0) / (z * z - 1.0)
            step = p1 / dp
            z -= step
            if abs(step) < 1e-16:
                break
        p0, p1 = 1.0, z
        for k in range(2, n + 1):
            p0, p1 = p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k
        dp = n * (z * p1 - p0) / (z * z - 1.0)
        nodes.append(z)
        weights.append(2.0 / ((1.0 - z * z) * dp * dp))
    return nodes, weights


def _legendre(lmax, z, s):
    """q[l][m] = sqrt((2l+1)/(4 pi) (l-m)!/(l+m)!) P_l^m(z), no Condon-Shortley phase."""
    q = [[0.0] * (lmax + 1) for _ in range(lmax + 1)]
    q[0][0] = math.sqrt(1.0 / (4.0 * math.pi))
    for m in range(1, lmax + 1):
        q[m][m] = math.sqrt((2 * m + 1) / (2 * m)) * s * q[m - 1][m - 1]
    for m in range(lmax):
        q[m + 1][m] = math.sqrt(2 * m + 3) * z * q[m][m]
    for m in range(lmax + 1):
        for deg in range(m + 2, lmax + 1):
            a = math.sqrt((4 * deg * deg - 1) / (deg * deg - m * m))
            b = math.sqrt(((deg - 1) ** 2 - m * m) / (4 * (deg - 1) ** 2 - 1))
            q[deg][m] = a * (z * q[deg - 1][m] - b * q[deg - 2][m])
    return q


def _grid_tables():
    """Real harmonics Y[g][l*l+l+m] at the grid points g and the quadrature weights."""
    nodes, weights = _gauss_legendre(N_THETA)
    trig = []
    for j in range(N_PHI):
        phi = 2.0 * math.pi * j / N_PHI
        trig.append([(math.cos(m * phi), math.sin(m * phi)) for m in range(LMAX + 1)])
    rows = []
    quad = []
    for z, wz in zip(nodes, weights):
        q = _legendre(LMAX, z, math.sqrt(max(0.0, 1.0 - z * z)))
        for j in range(N_PHI):
            row = [0.0] * ((LMAX + 1) ** 2)
            for deg in range(LMAX + 1):
                row[deg * deg + deg] = q[deg][0]
                for m in range(1, deg + 1):
                    v = math.sqrt(2.0) * q[deg][m]
                    row[deg * deg + deg + m] = v * trig[j][m][0]
                    row[deg * deg + deg - m] = v * trig[j][m][1]
            rows.append(row)
            quad.append(wz * 2.0 * math.pi / N_PHI)
    return rows, quad


_ROWS, _QUAD = _grid_tables()
_DEGREE = [deg for deg in range(LMAX + 1) for _ in range(2 * deg + 1)]
'''

_GAUNT_TORCH = '''

class TPNAME(nn.Module):
    """Gaunt tensor product (..., D1) x (..., D2) -> (..., D_OUT), per-degree weights.

    Parameters weights1 (L1 + 1,), weights2 (L2 + 1,), weights_out (L_OUT + 1,), starting at
    1.  The grid tables are kept in float64 and cast to the input dtype per call.
    """

    def __init__(self):
        super().__init__()
        self.weights1 = nn.Parameter(torch.ones(L1 + 1))
        self.weights2 = nn.Parameter(torch.ones(L2 + 1))
        self.weights_out = nn.Parameter(torch.ones(L_OUT + 1))
        y = torch.tensor(_ROWS, dtype=torch.float64)
        quad = torch.tensor(_QUAD, dtype=torch.float64)
        tables = (
            ("to_grid1", y[:, :D1].T.contiguous()),
            ("to_grid2", y[:, :D2].T.contiguous()),
            ("from_grid", y[:, :D_OUT] * quad[:, None]),
            ("degree", torch.tensor(_DEGREE, dtype=torch.int64)),
        )
        for attr, t in tables:
            self.register_buffer(attr, t, persistent=False)

    def forward(self, x1, x2):
        _check_shapes(x1.shape, x2.shape)
        dt = x1.dtype
        a = x1 * self.weights1.to(dt)[self.degree[:D1]]
        b = x2 * self.weights2.to(dt)[self.degree[:D2]]
        f = (a @ self.to_grid1.to(dt)) * (b @ self.to_grid2.to(dt))
        z = f @ self.from_grid.to(dt)
        return z * self.weights_out.to(dt)[self.degree[:D_OUT]]
'''

_GAUNT_ARRAYS = '''
_Y = np.array(_ROWS, dtype=np.float64)
_TO_GRID1 = np.ascontiguousarray(_Y[:, :D1].T)
_TO_GRID2 = np.ascontiguousarray(_Y[:, :D2].T)
_FROM_GRID = _Y[:, :D_OUT] * np.array(_QUAD)[:, None]
_DEGREE_ARRAY = np.array(_DEGREE, dtype=np.int64)
'''

_GAUNT_NUMPY = _GAUNT_ARRAYS + '''

def _degree_weights(what, w, degree, dtype):
    w = np.asarray(w, dtype=dtype)
    if w.shape != (degree + 1,):
        msg = f"{what} must have shape ({degree + 1},), got {w.shape}"
        raise ValueError(msg)
    return w[_DEGREE_ARRAY[: (degree + 1) ** 2]]


def TPNAME(
    x1,
    x2,
    weights1=None,
    weights2=None,
    weights_out=None,
):
    """Gaunt tensor product (..., D1) x (..., D2) -> (..., D_OUT), per-degree weights.

    weights1 (L1 + 1,), weights2 (L2 + 1,), weights_out (L_OUT + 1,): optional, default 1.
    Computes in float32 if both inputs are float32, else float64.
    """
    x1 = np.asarray(x1)
    x2 = np.asarray(x2)
    _check_shapes(x1.shape, x2.shape)
    dtype = np.result_type(x1, x2, np.float32)
    x1 = x1.astype(dtype)
    x2 = x2.astype(dtype)
    if weights1 is not None:
        x1 = x1 * _degree_weights("weights1", weights1, L1, dtype)
    if weights2 is not None:
        x2 = x2 * _degree_weights("weights2", weights2, L2, dtype)
    f = (x1 @ _TO_GRID1.astype(dtype)) * (x2 @ _TO_GRID2.astype(dtype))
    z = f @ _FROM_GRID.astype(dtype)
    if weights_out is not None:
        z = z * _degree_weights("weights_out", weights_out, L_OUT, dtype)
    return z
'''

_GAUNT_JAX = _GAUNT_ARRAYS + '''

def _degree_weights(what, w, degree, dtype):
    w = jnp.asarray(w, dtype=dtype)
    if w.shape != (degree + 1,):
        msg = f"{what} must have shape ({degree + 1},), got {w.shape}"
        raise ValueError(msg)
    return w[_DEGREE_ARRAY[: (degree + 1) ** 2]]


def TPNAME(
    x1,
    x2,
    weights1=None,
    weights2=None,
    weights_out=None,
):
    """Gaunt tensor product (..., D1) x (..., D2) -> (..., D_OUT), per-degree weights.

    Pure and jit-able.  weights1 (L1 + 1,), weights2 (L2 + 1,), weights_out (L_OUT + 1,):
    optional, default 1.
    """
    x1 = jnp.asarray(x1)
    x2 = jnp.asarray(x2)
    _check_shapes(x1.shape, x2.shape)
    dtype = jnp.result_type(x1, x2, jnp.float32)
    x1 = x1.astype(dtype)
    x2 = x2.astype(dtype)
    if weights1 is not None:
        x1 = x1 * _degree_weights("weights1", weights1, L1, dtype)
    if weights2 is not None:
        x2 = x2 * _degree_weights("weights2", weights2, L2, dtype)
    to1 = jnp.asarray(_TO_GRID1, dtype=dtype)
    to2 = jnp.asarray(_TO_GRID2, dtype=dtype)
    z = ((x1 @ to1) * (x2 @ to2)) @ jnp.asarray(_FROM_GRID, dtype=dtype)
    if weights_out is not None:
        z = z * _degree_weights("weights_out", weights_out, L_OUT, dtype)
    return z
'''


def emit_gaunt(head: str, target: str, name: str, L1: int, L2: int, L_out: int,
               n_t: int, n_p: int) -> str:
    """Source of the Gaunt (sphere grid) product module."""
    parts = [head, "\n", _IMPORTS[target], "\n", _sizes(L1, L2, L_out)]
    parts.append(f"LMAX = {max(L1, L2, L_out)}\n")
    parts.append(f"N_THETA = {n_t}\nN_PHI = {n_p}\n")
    parts.append(_GAUNT_RECIPES)
    body = {"torch": _GAUNT_TORCH, "jax": "\n" + _GAUNT_JAX, "numpy": "\n" + _GAUNT_NUMPY}[target]
    parts += [_CHECK_SHAPES, _fill(body, name)]
    return "".join(parts)
