"""Output types and pixel geometry of the SO(2)-to-SO(3) pose layers (numpy only).

* :func:`sphere_rep`: the type of spherical-harmonic coefficients of signals on S^2;
* :func:`so3_fourier_rep`: the type of Fourier coefficients of signals on SO(3);
* :func:`grid_coordinates`: the pixel-centre coordinates the induced layers use.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_int
from ._irreps import Irreps
from ._reps import SO2Rep

__all__ = ["grid_coordinates", "so3_fourier_rep", "sphere_rep"]


def sphere_rep(L: int, channels: int = 1) -> Irreps:
    """``channels`` copies of rho_0 + ... + rho_L in the layout (channel-major blocks by degree).

    Examples
    --------
    >>> sphere_rep(2).dim
    9
    >>> sphere_rep(1, 2)
    Irreps('2x0e+2x1o')
    """
    L = check_int("L", L, minimum=0)
    channels = check_int("channels", channels, minimum=1)
    return Irreps([(channels, l) for l in range(L + 1)])


def so3_fourier_rep(L: int, channels: int = 1) -> Irreps:
    """Fourier coefficients of a band-limited signal on SO(3): (2l+1) copies of rho_l, l <= L.

    Examples
    --------
    >>> so3_fourier_rep(1).dim
    10
    """
    L = check_int("L", L, minimum=0)
    channels = check_int("channels", channels, minimum=1)
    return Irreps([(channels * (2 * l + 1), l) for l in range(L + 1)])


def grid_coordinates(H: int, W: int) -> np.ndarray:
    """Pixel-centre coordinates (H*W, 2), row-major, centred, scaled into [-1, 1].

    Column j, row i -> ``(x, y) = (j - (W-1)/2, i - (H-1)/2) * 2 / (max(H, W) - 1)``.

    Examples
    --------
    >>> grid_coordinates(2, 2)
    array([[-1., -1.],
           [ 1., -1.],
           [-1.,  1.],
           [ 1.,  1.]])
    """
    H = check_int("H", H, minimum=1)
    W = check_int("W", W, minimum=1)
    s = 2.0 / max(max(H, W) - 1, 1)
    i, j = np.meshgrid(np.arange(H), np.arange(W), indexing="ij")
    return np.stack([(j - (W - 1) / 2) * s, (i - (H - 1) / 2) * s], -1).reshape(-1, 2)


def _signed_frequencies(rep: SO2Rep | Irreps) -> tuple[np.ndarray, np.ndarray]:
    """Signed frequency n and partner p of each coordinate, such that the rotation about z by t
    (``rep.matrix(t)`` for a real SO2Rep, ``rep.matrix(rot_z(t))`` for an Irreps) maps
    ``x_a -> cos(n_a t) x_a - sin(n_a t) x_{p(a)}``.

    Real harmonics: ``D_l(Rz(t))`` acts on ``(Y_{l,m}, Y_{l,-m})`` as a rotation by ``m t``
    (row m: ``cos(m t) e_m - sin(m t) e_{-m}``); psi_k: ``[[cos kt, -sin kt], [sin kt, cos kt]]``.
    """
    n, p = [], []
    i = 0
    if isinstance(rep, Irreps):
        for l in rep.labels():
            m = np.arange(-l, l + 1)
            n.append(m)
            p.append(i + l - m)
            i += 2 * l + 1
    else:
        for k in rep.labels():
            if k == 0:
                n.append([0])
                p.append([i])
                i += 1
            else:
                n.append([k, -k])
                p.append([i + 1, i])
                i += 2
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(n).astype(np.int64), np.concatenate(p).astype(np.int64)
