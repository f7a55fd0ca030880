"""Compiled evaluation programs: the contraction plans of several polynomials as one list of
prepared array operations, for numpy and for torch.

:func:`compile_program` turns the plans of :func:`~._contract.plan_with_keys` (one per
polynomial, for one batch size and ``n``) into a straight-line program:

* the merged operands of X (``X**p * (X.T)**q``, ``diag(X)**p``) each computed once;
* every pairwise step as a closure with its axis permutations, reshapes and sums worked out
  beforehand (a batched matrix product when a letter is contracted, a broadcast product
  otherwise, :func:`numpy.einsum` / :func:`torch.einsum` only for repeated letters or
  unoptimised plans);
* steps with equal :func:`~._contract.step_key` (and at most
  :data:`~._contract.SHARE_MAX_NDIM` axes) computed once for all polynomials;
* each register dropped after its last use, so memory stays that of the live intermediates.

A program runs as one generated Python function (registers are its local variables, each
step one call of a prepared closure), with no planning, string handling or dictionary look-up
per polynomial.  Programs are cached per (polynomials, batch, n, backend).  A program of one polynomial
also runs as :func:`single_runner`'s function of X alone (operands written inline, no
callbacks), which is what :meth:`~._polynomial.Polynomial.evaluate` and ``evaluate_torch``
call after the first time.

Examples
--------
>>> import functools
>>> import numpy as np
>>> from reptheory.polynomials import Polynomial
>>> from reptheory.polynomials._polynomial import _np_operand
>>> p = Polynomial.from_edges([("a", "c"), ("c", "b")], marked=("a", "b"))  # X @ X
>>> prog = compile_program((p.spec,), 2, 3, "numpy")
>>> X = np.arange(18.0).reshape(2, 3, 3)
>>> got = {}
>>> run_program(prog, functools.partial(_np_operand, X), got.__setitem__)
>>> bool(np.allclose(got[0], X @ X))
True
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from ..errors import InvalidParameterError
from ._contract import (
    BATCH,
    SHARE_MAX_NDIM,
    ContractionSpec,
    matmul_layout,
    plan_with_keys,
    step_key,
)

__all__ = ["Program", "compile_program", "out_layout", "run_program", "single_runner"]


class _Backend:
    """The few array operations a program needs, named once per library."""

    def __init__(self, name: str):
        self.name = name
        if name == "numpy":
            import numpy as np

            self.matmul = np.matmul
            self.einsum = np.einsum
            self.permute = np.ndarray.transpose

            @functools.lru_cache(maxsize=64)
            def ones(k: int, dtype) -> np.ndarray:
                out = np.ones(k, dtype=dtype)
                out.flags.writeable = False
                return out

            self.ones = ones
        else:
            import torch

            self.matmul = torch.matmul
            self.einsum = torch.einsum
            self.permute = torch.Tensor.permute


@functools.lru_cache(maxsize=2)
def _backend(name: str) -> _Backend:
    return _Backend(name)


def _chain(fns: list[Callable]) -> Callable | None:
    """Compose unary functions left to right (``None`` when there are none)."""
    fns = [f for f in fns if f is not None]
    if not fns:
        return None
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        f, g = fns
        return lambda x: g(f(x))
    f, g, h = fns[0], fns[1], _chain(fns[2:])
    return lambda x: h(g(f(x)))


def _perm_fn(bk: _Backend, perm: list[int]) -> Callable | None:
    if perm == sorted(perm):
        return None
    permute, p = bk.permute, tuple(perm)
    return lambda x: permute(x, p)


def _reshape_fn(shape: tuple[int, ...], current: tuple[int, ...]) -> Callable | None:
    if shape == current:
        return None
    return lambda x: x.reshape(shape)


def _sum_fn(bk: _Backend, axes: tuple[int, ...], shape: tuple[int, ...]) -> Callable | None:
    """Sum over ``axes`` of an array of ``shape``.  In numpy, sums over trailing axes or over
    the middle axis of a 3-axis float array run as matrix products with a vector of ones
    (BLAS: several times faster than :meth:`numpy.ndarray.sum` on these sizes)."""
    if not axes:
        return None
    nd = len(shape)
    if bk.name == "numpy":
        ones = bk.ones
        if axes == tuple(range(nd - len(axes), nd)):
            k = 1
            for i in axes:
                k *= shape[i]
            lead = tuple(shape[: nd - len(axes)]) + (k,)

            def trailing(x):
                if x.dtype.kind != "f":
                    return x.sum(axes)
                return x.reshape(lead) @ ones(k, x.dtype)
            return trailing
        if nd == 3 and axes == (1,):
            k = shape[1]

            def middle(x):
                if x.dtype.kind != "f":
                    return x.sum(axes)
                return ones(k, x.dtype) @ x
            return middle
    return lambda x: x.sum(axes)


def _broadcast_fn(bk: _Backend, s: str, so: str, size: dict[str, int]) -> Callable | None:
    """``s`` (letters all in ``so``) permuted to ``so``'s order with size-1 axes where it lacks
    one (a reshape to a shape known beforehand)."""
    order = [c for c in so if c in s]
    perm = _perm_fn(bk, [s.index(c) for c in order])
    if len(order) == len(so):
        return perm
    shape = tuple(size[c] if c in s else 1 for c in so)
    if bk.name == "torch":  # a strided operand (a diagonal of X) broadcasts twice as slowly
        return _chain([perm, lambda x: x.contiguous().reshape(shape)])
    return _chain([perm, lambda x: x.reshape(shape)])


def _pair_step(bk: _Backend, sa: str, sb: str, so: str, size: dict[str, int]
               ) -> tuple[Callable, Callable | None]:
    """Closures computing ``einsum(f'{sa},{sb}->{so}', a, b)`` for operands without repeated
    or private letters (every letter of one operand is in the other or in ``so``):
    ``(f(a, b), f_out(a, b, out))``, where ``f_out`` (or ``None``) writes the result into
    ``out`` (a batched matrix product whose result needs no reshape or permutation)."""
    if not any(c in sb and c not in so for c in sa):  # broadcast product
        ga, gb = _broadcast_fn(bk, sa, so, size), _broadcast_fn(bk, sb, so, size)
        if ga is None and gb is None:
            return (lambda a, b: a * b), None
        if gb is None:
            return (lambda a, b: ga(a) * b), None
        if ga is None:
            return (lambda a, b: a * gb(b)), None
        return (lambda a, b: ga(a) * gb(b)), None
    if set(sa) == set(sb):  # a dot product per batch entry: multiply and sum, no matmul
        gb = _perm_fn(bk, [sb.index(c) for c in sa])
        axes = tuple(i for i, c in enumerate(sa) if c not in so)
        kept = "".join(c for c in sa if c in so)
        post = _chain([_sum_fn(bk, axes, tuple(size[c] for c in sa)),
                       _perm_fn(bk, [kept.index(c) for c in so])])
        if gb is None:
            return (lambda a, b: post(a * b)), None
        return (lambda a, b: post(a * gb(b))), None
    batch, left, contr, right, ta, tb = matmul_layout(sa, sb, so)

    def prod(cs):
        out = 1
        for c in cs:
            out *= size[c]
        return out

    nb, nl, nk, nr = prod(batch), prod(left), prod(contr), prod(right)
    shape_a = tuple(size[c] for c in sa)
    shape_b = tuple(size[c] for c in sb)
    if ta:
        fa = [_reshape_fn((nb, nk, nl), shape_a), _perm_fn(bk, [0, 2, 1])]
    else:
        perm = [sa.index(c) for c in batch + left + contr]
        fa = [_perm_fn(bk, perm), _reshape_fn((nb, nl, nk), tuple(shape_a[i] for i in perm))]
    if tb:
        fb = [_reshape_fn((nb, nr, nk), shape_b), _perm_fn(bk, [0, 2, 1])]
    else:
        perm = [sb.index(c) for c in batch + contr + right]
        fb = [_perm_fn(bk, perm), _reshape_fn((nb, nk, nr), tuple(shape_b[i] for i in perm))]
    rs = batch + left + right
    post = _chain([_reshape_fn(tuple(size[c] for c in rs), (nb, nl, nr)),
                   _perm_fn(bk, [rs.index(c) for c in so])])
    ga, gb, mm = _chain(fa) or (lambda x: x), _chain(fb) or (lambda x: x), bk.matmul
    if post is None:
        return (lambda a, b: mm(ga(a), gb(b))), (lambda a, b, out: mm(ga(a), gb(b), out=out))
    return (lambda a, b: post(mm(ga(a), gb(b)))), None


def _single_step(bk: _Backend, ins: tuple[str, ...], res: str, size: dict[str, int]
                 ) -> tuple[Callable | None, bool]:
    """A closure for a step with one operand (a reduction / transpose) or three or more, and
    whether its result may be a view of its input (``None``: the identity)."""
    if len(ins) == 1 and len(set(ins[0])) == len(ins[0]):
        s = ins[0]
        red = _sum_fn(bk, tuple(i for i, c in enumerate(s) if c not in res),
                      tuple(size[c] for c in s))
        kept = "".join(c for c in s if c in res)
        return _chain([red, _perm_fn(bk, [kept.index(c) for c in res])]), red is None
    expr, einsum = f"{','.join(ins)}->{res}", bk.einsum
    return (lambda *arrs: einsum(expr, *arrs)), len(ins) == 1


class Program:
    """A compiled evaluation of several polynomials (see the module docstring).

    Attributes
    ----------
    operands : tuple
        ``(register, kind, p, q)``: the merged operands of X to compute first.
    steps : tuple
        ``(fn, in_registers, out_register, free_registers, written, fn_out)`` in execution
        order; ``written`` lists the polynomials whose result is final after the step;
        ``fn_out(a, b, out)``, where not ``None``, computes the step into a given array (the
        step is one polynomial's last and its result needs no change of layout).
    results : tuple
        Per polynomial, the register holding its core result (axes batch + ``spec.out``), or
        ``None`` for a polynomial without edges (the constant 1).
    fresh : tuple of bool
        Per polynomial, whether its result is a new array made by a step (not an operand of X,
        not shared with another polynomial), so that it may be returned without a copy.
    num_registers : int
    initial_writes, initial_frees : tuple
        Polynomials whose result is an operand of X or the constant 1 (final before any step),
        and registers no step reads.
    layouts : tuple
        Per polynomial, ``(perm, index, diagonal)``: :func:`out_layout` and ``spec.diagonal``.
    """

    __slots__ = (
        "fresh",
        "initial_frees",
        "initial_writes",
        "layouts",
        "num_registers",
        "operands",
        "results",
        "runner",
        "single",
        "steps",
    )

    def __init__(self, operands, steps, results, fresh, num_registers, initial_writes,
                 initial_frees, layouts):
        self.layouts = layouts
        self.runner = None  # the generated function, made by run_program on first use
        self.single = None  # the generated one-polynomial function, made by single_runner
        self.operands = operands
        self.steps = steps
        self.results = results
        self.fresh = fresh
        self.num_registers = num_registers
        self.initial_writes = initial_writes
        self.initial_frees = initial_frees


def compile_program(specs: tuple[ContractionSpec, ...], batch: int, n: int, backend: str,
                    optimize: bool = True) -> Program:
    """Compile the plans of ``specs`` for inputs ``(batch, n, n)`` (cached).

    ``backend`` is ``'numpy'`` or ``'torch'``; run the result with :func:`run_program`.
    """
    return _compile(tuple(specs), int(batch), int(n), backend, bool(optimize))


@functools.lru_cache(maxsize=64)
def _compile(specs, batch, n, backend, optimize) -> Program:
    bk = _backend(backend)
    size = dict.fromkeys(set("".join(o.subs for s in specs for o in s.operands)), n)
    size[BATCH] = batch
    operands: list = []
    op_reg: dict = {}
    steps: list = []
    key_reg: dict = {}
    results: list = []
    produced_by: dict = {}  # register -> step index
    nreg = 0
    uses: dict = {}  # register -> number of polynomials using it as a result
    views: set = set()  # registers that may be views of an operand (transposes, diagonals)

    def emit(fn, regs, key, res, fn_out=None, view=False):
        """The register of a step's value: an earlier equal one, or a new step (none for the
        identity)."""
        nonlocal nreg
        if fn is None:
            return regs[0]
        reg = key_reg.get(key)
        if reg is None:
            reg = nreg
            nreg += 1
            produced_by[reg] = len(steps)
            steps.append([fn, tuple(regs), reg, fn_out])
            if view:
                views.add(reg)
            if len(res) <= SHARE_MAX_NDIM:
                key_reg[key] = reg
        return reg

    for spec in specs:
        if not spec.operands:
            results.append(None)
            continue
        cur, keys = [], []
        for o in spec.operands:
            k = ("op", o.kind, o.p, o.q)
            if k not in op_reg:
                op_reg[k] = nreg
                operands.append((nreg, o.kind, o.p, o.q))
                nreg += 1
            cur.append(op_reg[k])
            keys.append(k)
        for idx, ins, res, key in plan_with_keys(spec, batch, n, optimize):
            regs = [cur[i] for i in idx]
            kids = [keys[i] for i in idx]
            for i in idx:
                cur.pop(i)
                keys.pop(i)
            if len(ins) == 2 and all(len(set(x)) == len(x) for x in ins):
                # letters private to one operand and absent from the result are summed first,
                # as steps of their own (shared: row sums of X recur in many polynomials)
                ins = list(ins)
                for j in (0, 1):
                    other = ins[1 - j]
                    kept = "".join(c for c in ins[j] if c in other or c in res)
                    if kept != ins[j]:
                        rkey = step_key([kids[j]], (ins[j],), kept)
                        regs[j] = emit(_single_step(bk, (ins[j],), kept, size)[0], [regs[j]],
                                       rkey, kept)
                        ins[j] = kept
                fn, fn_out = _pair_step(bk, ins[0], ins[1], res, size)
                view = False
            else:
                (fn, view), fn_out = _single_step(bk, ins, res, size), None
            cur.append(emit(fn, regs, key, res, fn_out, view))
            keys.append(key)
        results.append(cur[0])
        uses[cur[0]] = uses.get(cur[0], 0) + 1
    # when each polynomial's result is final, and when each register is last needed
    writes: dict = {}
    last: dict = {}
    for t, (_, ins, _, _) in enumerate(steps):
        for r in ins:
            last[r] = t
    for i, r in enumerate(results):
        t = -1 if r is None or r not in produced_by else produced_by[r]
        # a result that later steps still read is written at its production anyway
        writes.setdefault(t, []).append(i)
    for i, r in enumerate(results):
        if r is not None:
            t = produced_by.get(r, -1)
            last[r] = max(last.get(r, -1), t)
    frees: dict = {}
    for r, t in last.items():
        frees.setdefault(t, []).append(r)
    fresh = tuple(r is not None and r in produced_by and r not in views and uses[r] == 1
                  for r in results)
    # a fresh result computed by a final matrix product already in the output's layout can be
    # written straight into the output (``fn_out``); keep ``fn_out`` only for those steps
    direct = {r for i, r in enumerate(results)
              if fresh[i] and r is not None and last.get(r) == produced_by[r]
              and out_layout(specs[i]) == (None, None) and not specs[i].diagonal}
    step_tuples = tuple((fn, ins, out, tuple(frees.get(t, ())), tuple(writes.get(t, ())),
                         fn_out if out in direct else None)
                        for t, (fn, ins, out, fn_out) in enumerate(steps))
    return Program(tuple(operands), step_tuples, tuple(results), fresh, nreg,
                   tuple(writes.get(-1, ())), tuple(frees.get(-1, ())),
                   tuple(out_layout(s) + (s.diagonal,) for s in specs))


def run_program(prog: Program, operand: Callable, write: Callable,
                target: Callable | None = None) -> None:
    """Execute ``prog``: ``operand(kind, p, q)`` makes a merged operand of X, and
    ``write(i, value)`` receives polynomial ``i``'s core result (``None`` for the constant 1)
    as soon as it is final.  With ``target``, a step whose result is one polynomial's output
    in its final layout writes it into ``target(i)`` instead (``write`` is not called).

    The program runs as one generated Python function (made on the first run): registers are
    local variables and each step one call, so no interpreter loop, list indexing or
    bookkeeping is repeated per step."""
    run = prog.runner
    if run is None:
        run = prog.runner = _generate(prog)
    run(operand, write, target)


def _generate(prog: Program) -> Callable:
    """The source of ``prog`` as a function ``run(operand, write, target)``, compiled."""
    ns: dict = {}
    lines = ["def run(operand, write, target):"]
    for r, kind, p, q in prog.operands:
        lines.append(f"    r{r} = operand({kind!r}, {p}, {q})")
    for i in prog.initial_writes:
        r = prog.results[i]
        lines.append(f"    write({i}, {'None' if r is None else f'r{r}'})")
    for r in prog.initial_frees:
        lines.append(f"    del r{r}")
    for t, (fn, ins, out, free, written, fn_out) in enumerate(prog.steps):
        ns[f"f{t}"] = fn
        args = ", ".join(f"r{r}" for r in ins)
        compute = [f"r{out} = f{t}({args})"] + [f"write({i}, r{out})" for i in written]
        if out in free:
            compute.append(f"del r{out}")
        if fn_out is not None:
            ns[f"g{t}"] = fn_out
            lines.append("    if target is not None:")
            lines.append(f"        g{t}({args}, target({written[0]}))")
            lines.append("    else:")
            lines += [f"        {c}" for c in compute]
        else:
            lines += [f"    {c}" for c in compute]
        rest = [r for r in free if r != out]
        if rest:
            lines.append("    del " + ", ".join(f"r{r}" for r in rest))
    lines.append("    return None")
    # the source holds only register numbers, literal ints and operand kinds
    exec(compile("\n".join(lines), "<reptheory polynomial program>", "exec"), ns)  # noqa: S102
    return ns["run"]


def _operand_source(kind: str, p: int, q: int, backend: str) -> list[str]:
    """Source lines computing a merged operand of ``X`` into ``v``: ``diag(X)**p`` or
    ``X**p * (X.T)**q`` (repeated products; torch's one-kernel ``pow`` from the cube on)."""

    def pw(name: str, k: int) -> str:
        if k >= 3 and backend == "torch":
            return f"{name}.pow({k})"
        return " * ".join([name] * k)

    if kind == "loop":
        return ["t = X.diagonal(0, 1, 2)", f"v = {pw('t', p)}"]
    lines = []
    if q:
        tr = "X.transpose(0, 2, 1)" if backend == "numpy" else "X.transpose(1, 2)"
        lines.append(f"t = {tr}")
    if p and q:
        lines.append(f"v = ({pw('X', p)}) * ({pw('t', q)})")
    else:
        lines.append(f"v = {pw('X', p) if p else pw('t', q)}")
    return lines


def single_runner(prog: Program, backend: str) -> Callable:
    """The program of one polynomial as one generated function ``run(X)`` of the batch
    ``(batch, n, n)``, returning the polynomial's core result (``None`` for the constant 1):
    the operands of X are computed inline, each step is one call, and nothing is written
    through callbacks.  Made once per program (kept on it)."""
    run = prog.single
    if run is None:
        run = prog.single = _generate_single(prog, backend)
    return run


def _generate_single(prog: Program, backend: str) -> Callable:
    if len(prog.results) != 1:
        raise InvalidParameterError(f"single_runner needs a program of one polynomial, got "
                                    f"{len(prog.results)}")
    ns: dict = {}
    lines = ["def run(X):"]
    for r, kind, p, q in prog.operands:
        lines += [f"    {c}" for c in _operand_source(kind, p, q, backend)]
        lines.append(f"    r{r} = v")
    res = prog.results[0]
    for t, (fn, ins, out, free, _written, _fn_out) in enumerate(prog.steps):
        ns[f"f{t}"] = fn
        lines.append(f"    r{out} = f{t}({', '.join(f'r{r}' for r in ins)})")
        dead = [f"r{r}" for r in free if r != res]
        if dead:  # registers past their last use: memory stays that of the live ones
            lines.append(f"    del {', '.join(dead)}")
    lines.append(f"    return {'None' if res is None else f'r{res}'}")
    # the source holds only register numbers, literal ints and fixed method names
    exec(compile("\n".join(lines), "<reptheory polynomial>", "exec"), ns)  # noqa: S102
    return ns["run"]


def out_layout(spec: ContractionSpec) -> tuple[tuple[int, ...] | None, tuple | None]:
    """How to view a core result (axes batch + ``spec.out``) in the output's axis order:
    ``(perm, index)`` with ``None`` where nothing is needed; ``index`` adds the axes of
    output letters that occur in no operand (the result is constant along them)."""
    letters = spec.out
    order = [c for c in spec.out_all if c in letters]
    perm = [0] + [1 + letters.index(c) for c in order]
    idx = (slice(None),) + tuple(slice(None) if c in letters else None for c in spec.out_all)
    return (None if perm == sorted(perm) else tuple(perm),
            None if len(order) == len(spec.out_all) else idx)
