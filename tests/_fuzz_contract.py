"""Hypothesis fuzz driver of the public contract (run in a subprocess by test_fuzz_contract.py).

Every call on generated input must return a correct result or raise an error of reptheory's own
type (:class:`~reptheory.errors.ReptheoryError`), within the memory cap the parent process sets
(RLIMIT_AS) and a per-call alarm against hangs.  Usage::

    python tests/_fuzz_contract.py EXAMPLES
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
from fractions import Fraction

import numpy as np
from _reference import commutant_dimension_numeric
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import reptheory as rt
from reptheory.errors import ReptheoryError

HANG_SECONDS = int(os.environ.get("REPTHEORY_FUZZ_HANG_SECONDS", "60"))
EXAMPLES = int(sys.argv[1]) if len(sys.argv) > 1 else 50
GROUPS = {"S": rt.S, "A": rt.A, "O": rt.O, "SO": rt.SO, "Sp": rt.Sp}
# no shrinking or explaining: a hang would be retried many times; the failing example is printed
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck), print_blob=False,
                    phases=(Phase.explicit, Phase.generate))


#: outcomes seen, so that the run can assert it compared something: (fuzz, "result"/"error") -> count
SEEN: dict[tuple[str, str], int] = {}


def _seen(what: str, outcome: str) -> None:
    SEEN[what, outcome] = SEEN.get((what, outcome), 0) + 1


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"a call ran over {HANG_SECONDS} s")


def contract(call):
    """Run ``call``; return its result, or None when it raised a ReptheoryError."""
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        return call()
    except ReptheoryError as exc:
        assert str(exc), f"{type(exc).__name__} without a message"
        return None
    finally:
        signal.alarm(0)


# mostly valid sizes, with bad and huge ones mixed in
ns = st.one_of(st.integers(1, 6), st.integers(1, 6), st.integers(-2, 12), st.just(10**9),
               st.sampled_from([10**6 + 1, 2**40]))
orders = st.one_of(st.integers(0, 4), st.integers(0, 4), st.integers(-1, 8), st.integers(9, 40))
kinds = st.sampled_from([None, None, "diagram", "orbit", "bogus"])


def _group(symbol, n):
    return contract(lambda: GROUPS[symbol](n))


def _numeric_dimension(G, k, l):
    if G.is_finite:
        gens = G.generators() or [G.random_element(0)]
    else:
        gens = [G.random_element(s) for s in (1, 2, 3)]
        if G.symbol == "O":  # make sure the non-identity component is there
            gens.append(np.diag([-1.0] + [1.0] * (G.n - 1)))
    return commutant_dimension_numeric([np.asarray(g, float) for g in gens], k, l)


@SETTINGS
@given(symbol=st.sampled_from(sorted(GROUPS)), n=ns, k=orders, l=orders, kind=kinds,
       spanning=st.booleans())
def fuzz_layers(symbol, n, k, l, kind, spanning):
    G = _group(symbol, n)
    if G is None:
        return
    d = contract(lambda: rt.hom_dimension(G, k, l))
    if d is not None:
        assert isinstance(d, int) and d >= 0
        if G.n <= 3 and k + l <= 4:
            assert d == _numeric_dimension(G, k, l), (G, k, l, d)
            _seen("layers", "numeric")
    B = contract(lambda: rt.spanning_set(G, k, l) if spanning else rt.layer_basis(G, k, l, kind=kind))
    _seen("layers", "error" if B is None else "result")
    if B is not None:
        assert d is not None and B.dimension == d
        assert len(B) == d if B.is_basis else len(B) > d
        assert B.spec.n == G.n and B.spec.k == k and B.spec.l == l
        assert spanning or kind in (None, "diagram") or (kind == "orbit" and symbol in "SA")


@SETTINGS
@given(symbol=st.sampled_from(sorted(GROUPS)), n=st.integers(1, 5), data=st.data(),
       p=st.integers(-1, 4))
def fuzz_tensor_power(symbol, n, data, p):
    G = _group(symbol, n)
    if G is None:
        return
    shape = data.draw(st.one_of(st.just((G.n, G.n)), st.tuples(st.integers(0, 6), st.integers(0, 6)),
                                st.tuples(st.integers(1, 3))))
    g = np.ones(shape)
    out = contract(lambda: G.tensor_power(g, p))
    _seen("tensor_power", "error" if out is None else "result")
    if out is not None:
        assert shape == (G.n, G.n) and p >= 0 and out.shape == (G.n**p, G.n**p)


half = st.builds(Fraction, st.integers(-6, 12), st.sampled_from([1, 2, 3]))
values = st.one_of(half, st.integers(-3, 8), st.floats(-3, 8),
                   st.sampled_from([float("nan"), float("inf"), 0.5, "1", None]))


halves = st.builds(Fraction, st.integers(0, 8), st.just(2))


@st.composite
def cg_arguments(draw):
    """Mostly well-formed (j1, m1, j2, m2, j, m) on the half-integer grid, else anything."""
    if draw(st.booleans()):
        return draw(st.tuples(values, values, values, values, values, values))
    j1, j2 = draw(halves), draw(halves)
    m1 = j1 - draw(st.integers(0, int(2 * j1)))
    m2 = j2 - draw(st.integers(0, int(2 * j2)))
    j = abs(m1 + m2) + draw(st.integers(0, 4))
    return j1, m1, j2, m2, j, m1 + m2


@SETTINGS
@given(args=cg_arguments())
def fuzz_clebsch_gordan(args):
    from reptheory.so3 import clebsch_gordan_exact

    v = contract(lambda: clebsch_gordan_exact(*args))
    _seen("clebsch_gordan", "error" if v is None else "result")
    if v is not None:
        assert abs(float(v)) <= 1 + 1e-12


@SETTINGS
@given(symbol=st.sampled_from(sorted(GROUPS)), n=st.integers(1, 5), k=st.integers(0, 3),
       l=st.integers(0, 3), target=st.sampled_from(["numpy", "torch", "jax", "rust"]),
       name=st.sampled_from([None, "layer", "bad name", "class", "x" * 3]))
def fuzz_codegen(symbol, n, k, l, target, name):
    from reptheory.codegen import generate

    G = _group(symbol, n)
    B = None if G is None else contract(lambda: rt.layer_basis(G, k, l))
    if B is None:
        return
    src = contract(lambda: generate(B, target=target, name=name))
    _seen("codegen", "error" if src is None else "result")
    if src is not None:
        compile(src, "<generated>", "exec")  # valid Python, never a hostile string


tokens = st.sampled_from(["S", "A", "O", "SO", "Sp", "Q", "0", "1", "2", "3", "5", "-1", "x",
                          "1000000000", "1/2", "3/2", "--k", "--l", "--kind", "orbit", "--json",
                          "--spanning", "--max-entries", "100", "--grid", "--max-lines",
                          "--float", "--n", "--target", "numpy", "--all-methods", "--degree",
                          "--output", "edge", "node", "count", "-k", "--dim", "--betti-M",
                          "--betti-Z", "1,0,1"])
commands = st.sampled_from([["basis"], ["dim"], ["pattern"], ["codegen"], ["codegen-tp", "cg"],
                            ["codegen-tp", "gaunt"], ["so3", "cg"], ["so3", "restrict"],
                            ["so3", "wigner-check"], ["polynomials", "count"],
                            ["algebroids", "cohomology"], ["algebroids", "check"], ["info"],
                            ["nope"], []])


small = st.sampled_from(["0", "1", "2", "3", "4", "-1", "1000000000"])
structured = st.one_of(
    st.tuples(st.sampled_from(["basis", "dim", "pattern", "codegen"]),
              st.sampled_from(["S", "A", "O", "SO", "Sp"]), small, st.just("--k"), small,
              st.just("--l"), small).map(list),
    st.tuples(st.just("so3"), st.sampled_from(["cg"]), small, small,
              st.sampled_from(["0", "1", "2", "1/2", "3/2"])).map(list),
)


@SETTINGS
@given(head=st.one_of(commands, structured), rest=st.lists(tokens, max_size=6))
def fuzz_cli(head, rest):
    from reptheory.cli import main

    argv = head + rest
    if head == ["polynomials", "count"] and any(t.isdigit() and int(t) > 4 for t in rest):
        return  # degree 5 and 6 counts enumerate for minutes (their own guard stops at 7)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = contract(lambda: main(argv))
        except SystemExit as exc:  # --help / --version only
            code = exc.code
            assert code == 0, argv
    assert code in (0, 2), (argv, code)
    _seen("cli", "error" if code == 2 else "result")
    if code == 2:
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and "error:" in lines[0], (argv, err.getvalue())
        assert "Traceback" not in err.getvalue()


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    for fuzz in (fuzz_layers, fuzz_tensor_power, fuzz_clebsch_gordan, fuzz_codegen, fuzz_cli):
        fuzz()
        print(f"{fuzz.__name__}: {EXAMPLES} examples ok", flush=True)
    print(sorted(SEEN.items()))
    for what in ("layers", "tensor_power", "clebsch_gordan", "codegen", "cli"):
        assert SEEN.get((what, "result")) and SEEN.get((what, "error")), (what, SEEN)
    assert SEEN.get(("layers", "numeric")), SEEN
