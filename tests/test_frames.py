"""Frames, canonicalisation and differentiable equivariance losses (reptheory.torch)."""

import numpy as np
import pytest

import reptheory as rt
from reptheory.testing import TrivialGroup, equivariance_error, group_action

torch = pytest.importorskip("torch")

from reptheory.torch import (
    Canonicalization,
    EquivariantLinear,
    FrameAveraging,
    LearnedCanonicalizer,
    PCACanonicalizer,
    SoftEquivariance,
    SortCanonicalizer,
    equivariance_loss,
    pca_frames,
)

N = 6
ROT_GROUPS = [rt.O(3), rt.SO(3), rt.SO3()]


def _mlp(out: int, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Flatten(-2), torch.nn.Linear(3 * N, 32), torch.nn.Tanh(),
                               torch.nn.Linear(32, out))


class PointMLP(torch.nn.Module):
    """Per-point outputs (B, N, 3) that mix all points: not equivariant by itself."""

    def __init__(self, seed: int = 0):
        super().__init__()
        self.net = _mlp(3 * N, seed)

    def forward(self, x):
        return self.net(x).reshape(x.shape[0], N, 3)


class DeepSet(torch.nn.Module):
    def __init__(self, seed: int = 0):
        super().__init__()
        torch.manual_seed(seed)
        self.phi = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Tanh())
        self.rho = torch.nn.Linear(16, 2)

    def forward(self, x):
        return self.rho(self.phi(x).sum(dim=-2))


def _rot_group_for_check(group):
    return rt.O(3) if group == rt.O(3) else rt.SO(3)


def test_unwrapped_models_are_not_invariant():
    # the controls: the checks below can fail
    assert equivariance_error(_mlp(2), rt.SO(3), 1, 0, input_shape=(8, N)) > 0.05
    assert equivariance_error(_mlp(2), (rt.S(N), TrivialGroup(3)), (1, 1), (0, 0),
                              input_shape=(8,)) > 0.05


@pytest.mark.parametrize("group", ROT_GROUPS)
def test_pca_frames_are_equivariant_sets(group):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(4, N, 3, generator=gen, dtype=torch.float64) * torch.tensor([1.0, 2, 3])
    F = pca_frames(x, group)
    K = 8 if group == rt.O(3) else 4
    assert F.shape == (4, K, 3, 3)
    eye = torch.eye(3, dtype=F.dtype)
    assert torch.allclose(F.transpose(-1, -2) @ F, eye.expand_as(F), atol=1e-12)
    if K == 4:
        assert torch.allclose(torch.linalg.det(F), torch.ones(4, 4, dtype=F.dtype))
    g = torch.as_tensor(_rot_group_for_check(group).random_element(2))
    F2 = pca_frames(x @ g.T, group)
    compared = 0
    for b in range(4):   # g F(x) and F(g x) are the same set of matrices
        A = (g @ F[b]).reshape(K, 9)
        Bm = F2[b].reshape(K, 9)
        d = torch.cdist(A, Bm)
        assert float(d.min(dim=1).values.max()) < 1e-10
        compared += 1
    assert compared == 4


@pytest.mark.parametrize("group", ROT_GROUPS)
def test_frame_averaging_invariant_float32(group):
    model = FrameAveraging(_mlp(3), group)
    grp = _rot_group_for_check(group)
    err = equivariance_error(model, grp, 1, 0, input_shape=(16, N), n_samples=6, rng=3)
    assert err < 1e-5


@pytest.mark.parametrize("group", [rt.O(3), rt.SO(3)])
def test_frame_averaging_equivariant_float32(group):
    model = FrameAveraging(PointMLP(), group, equivariant=True)
    err = equivariance_error(model, group, 1, 1, input_shape=(16, N), n_samples=6, rng=4)
    assert err < 1e-5
    assert equivariance_error(PointMLP(), group, 1, 1, input_shape=(16, N)) > 0.05


def test_frame_averaging_of_deepset_is_sn_times_o3_invariant():
    model = FrameAveraging(DeepSet(), rt.O(3), center=True)
    err = equivariance_error(model, (rt.S(N), rt.O(3)), (1, 1), (0, 0), input_shape=(16,),
                             n_samples=6, rng=5)
    assert err < 1e-5


def test_frame_averaging_matches_explicit_average():
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(3, N, 3, generator=gen, dtype=torch.float64)
    mlp = _mlp(2).double()
    got = FrameAveraging(mlp, rt.O(3))(x)
    # independent: eigenvectors from numpy, all 8 sign flips
    ref = []
    for b in range(3):
        xb = x[b].numpy()
        c = xb - xb.mean(0)
        _, V = np.linalg.eigh(c.T @ c / N)
        outs = [mlp(torch.as_tensor(xb @ (V * np.array(s)))[None])[0].detach().numpy()
                for s in np.array(np.meshgrid([1, -1], [1, -1], [1, -1])).T.reshape(-1, 3)]
        assert len(outs) == 8
        ref.append(np.mean(outs, axis=0))
    assert np.allclose(got.detach().numpy(), np.array(ref), atol=1e-10)


def test_degenerate_clouds():
    same = torch.ones(2, N, 3)
    with pytest.raises(rt.InvalidParameterError, match="all points equal"):
        FrameAveraging(_mlp(2), rt.O(3))(same)
    # points +-e_i: covariance a multiple of the identity (repeated eigenvalues)
    sym = torch.cat([torch.eye(3), -torch.eye(3)])[None]
    with pytest.raises(rt.InvalidParameterError, match="repeated covariance eigenvalues"):
        FrameAveraging(_mlp(2), rt.O(3))(sym)
    out = FrameAveraging(_mlp(2), rt.O(3), degenerate="ignore")(sym)
    assert out.shape == (1, 2) and bool(torch.isfinite(out).all())
    with pytest.raises(rt.InvalidParameterError, match="all points equal"):
        LearnedCanonicalizer(rt.O(3)).canonicalize(same)
    with pytest.raises(rt.ShapeError, match=r"\(batch, points, 3\)"):
        FrameAveraging(_mlp(2), rt.O(3))(torch.randn(2, N, 2))
    with pytest.raises(rt.InvalidParameterError, match="rt.O\\(3\\)"):
        FrameAveraging(_mlp(2), rt.S(3))


@pytest.mark.parametrize("group", [rt.O(3), rt.SO(3)])
def test_pca_canonicalization(group):
    model = Canonicalization(_mlp(2), PCACanonicalizer(group))
    assert equivariance_error(model, group, 1, 0, input_shape=(16, N), n_samples=6) < 1e-5
    eq = Canonicalization(PointMLP(), PCACanonicalizer(group), equivariant=True)
    assert equivariance_error(eq, group, 1, 1, input_shape=(16, N), n_samples=6) < 1e-5


def test_sort_canonicalization():
    grp = (rt.S(N), TrivialGroup(3))
    inv = Canonicalization(_mlp(2), SortCanonicalizer())
    assert equivariance_error(inv, grp, (1, 1), (0, 0), input_shape=(16,), n_samples=6) == 0.0
    eq = Canonicalization(PointMLP(), SortCanonicalizer(), equivariant=True)
    assert equivariance_error(eq, grp, (1, 1), (1, 1), input_shape=(16,), n_samples=6) == 0.0
    assert equivariance_error(PointMLP(), grp, (1, 1), (1, 1), input_shape=(16,)) > 0.05
    # ties in the first key are broken by the next one
    x = torch.tensor([[[1.0, 2.0], [1.0, 0.0], [0.0, 5.0]]])
    _, perm = SortCanonicalizer().canonicalize(x)
    assert perm.tolist() == [[2, 1, 0]]
    assert SortCanonicalizer(keys=[1]).canonicalize(x)[1].tolist() == [[1, 0, 2]]


@pytest.mark.parametrize("group", [rt.O(3), rt.SO(3)])
def test_learned_canonicalizer_exact_and_trainable(group):
    torch.manual_seed(7)
    canon = LearnedCanonicalizer(group, hidden=16)
    model = Canonicalization(_mlp(2), canon)
    assert equivariance_error(model, group, 1, 0, input_shape=(16, N), n_samples=6) < 1e-5
    F = canon.frame(torch.randn(5, N, 3))
    det = torch.linalg.det(F)
    assert torch.allclose(F.transpose(-1, -2) @ F, torch.eye(3, dtype=F.dtype).expand_as(F),
                          atol=1e-10)
    if group == rt.SO(3):
        assert torch.allclose(det, torch.ones_like(det))
    # the prior loss trains the frames of upright data towards the identity
    gen = torch.Generator().manual_seed(8)
    # upright, skewed clouds: a frame near the identity exists for all of them
    data = torch.rand(64, 32, 3, generator=gen) ** 3 * torch.tensor([3.0, 2.0, 1.0])
    opt = torch.optim.Adam(canon.parameters(), lr=0.02)
    first = float(canon.prior_loss(data).detach())
    for _ in range(60):
        opt.zero_grad()
        loss = model.prior_loss(data)
        loss.backward()
        opt.step()
    assert float(canon.prior_loss(data).detach()) < 0.5 * first


def test_equivariance_loss_zero_positive_and_brute_force():
    torch.manual_seed(9)
    x = torch.randn(8, 1, 4, dtype=torch.float64)
    layer = EquivariantLinear(rt.S(4), 1, 1, 1, 1, dtype=torch.float64)
    assert equivariance_loss(layer, rt.S(4), 1, 1, x, n_samples=3, rng=0).item() < 1e-25
    lin = torch.nn.Linear(3, 3).double()
    v = torch.randn(10, 3, dtype=torch.float64)
    loss = equivariance_loss(lin, rt.O(3), 1, 1, v, n_samples=2, rng=0, relative=False)
    loss.backward()
    assert lin.weight.grad is not None and float(lin.weight.grad.abs().sum()) > 0
    # brute force with the same two elements
    els = group_action(rt.O(3), 1, 1).elements(2, np.random.default_rng(0), use_generators=False)
    W, b, vn = lin.weight.detach().numpy(), lin.bias.detach().numpy(), v.numpy()
    f = lambda z: z @ W.T + b
    ref = np.mean([np.mean((f(vn @ g.T) - f(vn) @ g.T) ** 2) for (g,) in els])
    assert len(els) == 2 and ref > 0
    assert loss.item() == pytest.approx(ref, rel=1e-12)
    with pytest.raises(rt.InvalidParameterError, match="non-finite"):
        equivariance_loss(lambda z: z * float("nan"), rt.O(3), 1, 1, v)
    with pytest.raises(rt.ShapeError):
        equivariance_loss(lin, rt.O(3), 1, 1, torch.randn(4, 2))


class Quadratic(torch.nn.Module):
    """f(x) = a |x|^2 + b x_z: rotation-invariant exactly when b = 0."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))
        self.b = torch.nn.Parameter(torch.tensor(0.5, dtype=torch.float64))

    def forward(self, x):
        return self.a * (x * x).sum(-1) + self.b * x[..., 2]


def test_soft_equivariance_objective_matches_independent_penalties():
    torch.manual_seed(10)
    W = torch.eye(3, dtype=torch.float64) + 0.3 * torch.randn(3, 3, dtype=torch.float64)
    model = lambda z: z @ W.T
    x = torch.randn(32, N, 3, dtype=torch.float64)
    perm = ((rt.S(N), TrivialGroup(3)), (1, 1), (1, 1))
    rot = (rt.O(3), 1, 1)
    soft = SoftEquivariance({"perm": perm, "rot": rot}, n_samples=2, init_strength=0.5, rng=5)
    data = torch.tensor(0.25, dtype=torch.float64)
    total = soft(model, x, data)
    gen = np.random.default_rng(5)            # the same draws, in the same order
    r_perm = equivariance_loss(model, *perm, x, n_samples=2, rng=gen).item()
    r_rot = equivariance_loss(model, *rot, x, n_samples=2, rng=gen).item()
    assert r_perm < 1e-25 and r_rot > 1e-3
    assert total.item() == pytest.approx(0.25 * (1 + 0.5 * r_perm + 0.5 * r_rot), rel=1e-12)
    levels = soft.levels()
    assert levels["perm"] == pytest.approx(soft.min_level)
    assert levels["rot"] == pytest.approx(np.sqrt(r_rot), rel=1e-12)
    # eval mode: nothing is updated
    soft.eval()
    before = soft.running_penalties.clone()
    soft(model, x, data)
    assert torch.equal(before, soft.running_penalties)


@pytest.mark.parametrize("breaking,direction", [(0.0, 1), (2.0, -1)])
def test_soft_equivariance_tunes_strength_towards_the_data(breaking, direction):
    # held-out targets |x|^2 + breaking * x_z: enforcing rotation invariance (b -> 0) helps
    # the held-out loss when breaking = 0 and hurts it when breaking = 2 (b starts at 0.5)
    gen = torch.Generator().manual_seed(11)
    x = torch.randn(64, 3, generator=gen, dtype=torch.float64)
    xv = torch.randn(64, 3, generator=gen, dtype=torch.float64)
    target = lambda z: (z * z).sum(-1) + breaking * z[:, 2]
    model = Quadratic()
    soft = SoftEquivariance({"rot": (rt.SO(3), 1, 0)}, n_samples=2, rng=0)
    start = soft.strengths()["rot"]
    for _ in range(5):
        loss = soft(model, x, ((model(x) - target(x)) ** 2).mean(),
                    val_loss=((model(xv) - target(xv)) ** 2).mean())
    moved = np.log(soft.strengths()["rot"] / start)
    assert direction * moved > 0.2         # five steps of 0.05 with cosine near +-1
    assert loss.requires_grad


def test_soft_equivariance_bad_input():
    rot = (rt.O(3), 1, 1)
    with pytest.raises(rt.ReptheoryTypeError):
        SoftEquivariance({})
    with pytest.raises(rt.InvalidParameterError):
        SoftEquivariance({"rot": rot}, momentum=1.0)
    with pytest.raises(rt.InvalidParameterError):
        SoftEquivariance({"rot": rot}, init_strength=0.0)
    soft = SoftEquivariance({"rot": rot})
    with pytest.raises(rt.ShapeError):
        soft(lambda z: z, torch.randn(4, 2), torch.tensor(1.0))
    with pytest.raises(rt.ReptheoryTypeError, match="params="):
        soft(lambda z: z, torch.randn(4, 3), torch.tensor(1.0), val_loss=torch.tensor(1.0))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_frames_canonicalisers_and_losses():
    dev = torch.device("cuda")
    torch.manual_seed(12)
    x = torch.randn(8, N, 3, device=dev)
    for model in (FrameAveraging(_mlp(2).to(dev), rt.O(3)),
                  Canonicalization(_mlp(2).to(dev), PCACanonicalizer(rt.SO(3))),
                  Canonicalization(_mlp(2).to(dev), LearnedCanonicalizer(rt.SO(3)).to(dev)),
                  Canonicalization(_mlp(2).to(dev), SortCanonicalizer())):
        out = model(x)
        assert out.device.type == "cuda" and out.shape == (8, 2)
    fa = FrameAveraging(_mlp(2).to(dev), rt.O(3))
    assert equivariance_error(fa, rt.O(3), 1, 0, input_shape=(8, N)) < 1e-5
    lin = torch.nn.Linear(3, 3).to(dev)
    loss = equivariance_loss(lin, rt.O(3), 1, 1, x, n_samples=2, rng=0)
    loss.backward()
    assert loss.device.type == "cuda" and lin.weight.grad is not None
    soft = SoftEquivariance({"rot": (rt.SO(3), 1, 1)}, rng=0).to(dev)
    total = soft(lin, x, loss.detach() + 1.0, val_loss=((lin(x) - x) ** 2).mean())
    assert total.device.type == "cuda"
