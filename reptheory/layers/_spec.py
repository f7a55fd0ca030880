"""The intermediate form (IR) of an equivariant layer: :class:`LayerSpec`.

A layer is ``x -> sum_b w_b B_b(x)`` over the basis elements ``B_b``. Each basis element is an
exact linear combination of *operations*, shared between elements:

    B_b = sum_j C[b, j] * Op_j.

An :class:`Operation` is one index contraction, like an einsum with free broadcasting: every
tensor axis carries an integer *label*; the output is

    y[outputs] = sum over labels not in outputs of  x[inputs] * prod_f T_f[labels_f],

where ``T_f`` are named constant tensors (J for Sp(n), the Levi-Civita symbol, ...). Hence

* a label on several input axes takes a generalised diagonal of x,
* a label on input axes only is summed (contracted),
* a label on several output axes writes onto a generalised diagonal of y (zero elsewhere),
* a label on output axes only (and no input axis or constant) is broadcast (constant along it).

For a partition diagram every block is one label: this is the einsum rule of
Pearce-Crump / Godfrey et al. All data is exact (ints, :class:`fractions.Fraction`); backends,
code generators and the JSON export read nothing else.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from .._validate import check_dense_size, check_int
from .._version import __version__
from ..errors import InvalidParameterError

__all__ = ["SPEC_FORMAT_VERSION", "ConstantTensor", "LayerSpec", "Operation"]

#: Version of the LayerSpec dictionary / JSON layout.
SPEC_FORMAT_VERSION = 1

Exact = int | Fraction


def _exact(value: Any, what: str) -> Exact:
    """Coerce ints, Fractions, sympy/numpy integers and rationals, or "p/q" text to int/Fraction."""
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidParameterError(f"{what} must be an exact integer or rational, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Rational):
        f = Fraction(int(value.numerator), int(value.denominator))
        return f.numerator if f.denominator == 1 else f
    if isinstance(value, str):
        try:
            f = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InvalidParameterError(f"{what} must be an integer or 'p/q', got {value!r}") from None
        if "." in value or "e" in value.lower():
            raise InvalidParameterError(f"{what} must be an integer or 'p/q', got {value!r}")
        return f.numerator if f.denominator == 1 else f
    raise InvalidParameterError(f"{what} must be an exact integer or rational, got {value!r}")


def _exact_to_json(v: Exact) -> int | str:
    return v if isinstance(v, int) else f"{v.numerator}/{v.denominator}"


@dataclass(frozen=True)
class Operation:
    """One labelled index contraction (see the module docstring).

    Parameters
    ----------
    inputs : tuple of int
        Label of each input axis (length k).
    outputs : tuple of int
        Label of each output axis (length l).
    factors : tuple of (str, tuple of int)
        Constant tensors by name, with the label of each of their axes.

    Examples
    --------
    >>> op = Operation(inputs=(0, 0), outputs=(1, 0))     # y[i, j] = x[j, j]
    >>> op.summed_labels(), op.broadcast_labels(), op.diagonal_output()
    ((), (1,), False)
    """

    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    factors: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(int(a) for a in self.inputs))
        object.__setattr__(self, "outputs", tuple(int(a) for a in self.outputs))
        object.__setattr__(
            self, "factors", tuple((str(nm), tuple(int(a) for a in lab)) for nm, lab in self.factors)
        )
        for a in self.labels():
            if a < 0:
                raise InvalidParameterError(f"operation labels must be >= 0, got {a}")

    @property
    def k(self) -> int:
        """Number of input axes."""
        return len(self.inputs)

    @property
    def l(self) -> int:
        """Number of output axes."""
        return len(self.outputs)

    def labels(self) -> tuple[int, ...]:
        """All labels, sorted."""
        s = set(self.inputs) | set(self.outputs)
        for _, lab in self.factors:
            s |= set(lab)
        return tuple(sorted(s))

    def _source_labels(self) -> set[int]:
        s = set(self.inputs)
        for _, lab in self.factors:
            s |= set(lab)
        return s

    def summed_labels(self) -> tuple[int, ...]:
        """Labels that are contracted (in inputs or constants, not in the output)."""
        out = set(self.outputs)
        return tuple(sorted(self._source_labels() - out))

    def kept_labels(self) -> tuple[int, ...]:
        """Output labels computed from x or constants, in order of first output appearance."""
        src = self._source_labels()
        return tuple(dict.fromkeys(a for a in self.outputs if a in src))

    def broadcast_labels(self) -> tuple[int, ...]:
        """Output labels not fed by x or a constant (the output is constant along them)."""
        src = self._source_labels()
        return tuple(dict.fromkeys(a for a in self.outputs if a not in src))

    def unique_output_labels(self) -> tuple[int, ...]:
        """Distinct output labels, in order of first appearance."""
        return tuple(dict.fromkeys(self.outputs))

    def diagonal_output(self) -> bool:
        """Whether some label appears on two output axes (a generalised diagonal of y)."""
        return len(set(self.outputs)) < len(self.outputs)

    def canonical(self) -> Operation:
        """Relabel in order of first appearance (outputs, inputs, factors); equal ops match."""
        order: dict[int, int] = {}
        for a in (*self.outputs, *self.inputs, *(x for _, lab in self.factors for x in lab)):
            order.setdefault(a, len(order))
        return Operation(
            tuple(order[a] for a in self.inputs),
            tuple(order[a] for a in self.outputs),
            tuple((nm, tuple(order[a] for a in lab)) for nm, lab in self.factors),
        )

    def einsum_string(self) -> str:
        """A readable einsum-like formula, e.g. ``'y[a,b] = x[b,b]'``."""
        letters = "abcdefghijklmnopqrstuvwxyz"

        def name(a: int) -> str:
            return letters[a] if a < 26 else f"z{a}"

        rhs = "x[" + ",".join(name(a) for a in self.inputs) + "]" if self.inputs else "1"
        for nm, lab in self.factors:
            rhs += f" * {nm}[" + ",".join(name(a) for a in lab) + "]"
        summed = self.summed_labels()
        if summed:
            rhs = "sum_" + "".join(name(a) for a in summed) + " " + rhs
        return "y[" + ",".join(name(a) for a in self.outputs) + "] = " + rhs

    def factor(self):
        """Factor as output permutation ∘ planar Kronecker product ∘ input permutation.

        Returns an :class:`~reptheory.kernels.OperationFactorization` (contracted,
        transferred and broadcast labels, constants, and the two axis permutations).

        Examples
        --------
        >>> f = Operation(inputs=(0, 1, 1), outputs=(1, 2)).factor()   # y[a,b] = sum_c x[c,a,a]
        >>> f.input_perm, f.output_perm, f.blocks
        ((1, 2, 0), (1, 0), (('copy', 1, 0), ('transfer', 1, 2), ('contract', 0, 1)))
        """
        from ..kernels._factor_op import factor_operation

        return factor_operation(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "factors": [{"name": nm, "labels": list(lab)} for nm, lab in self.factors],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Operation:
        return cls(
            tuple(d["inputs"]),
            tuple(d["outputs"]),
            tuple((f["name"], tuple(f["labels"])) for f in d.get("factors", ())),
        )


@dataclass(frozen=True)
class ConstantTensor:
    """A named constant tensor with exact entries, stored sparsely.

    Parameters
    ----------
    name : str
        Name used in :attr:`Operation.factors`.
    shape : tuple of int
        Full shape, e.g. ``(n, n)`` for J.
    entries : tuple of (index tuple, exact value)
        The nonzero entries.
    description : str
        What the tensor is (documented convention).
    """

    name: str
    shape: tuple[int, ...]
    entries: tuple[tuple[tuple[int, ...], Exact], ...]
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", tuple(int(s) for s in self.shape))
        ents = []
        for idx, val in self.entries:
            idx = tuple(int(i) for i in idx)
            if len(idx) != len(self.shape) or any(not 0 <= i < s for i, s in zip(idx, self.shape)):
                raise InvalidParameterError(
                    f"constant {self.name!r}: index {idx} out of range for shape {self.shape}"
                )
            ents.append((idx, _exact(val, f"constant {self.name!r} entry")))
        object.__setattr__(self, "entries", tuple(sorted(ents)))

    def to_dense(self, dtype: Any = np.float64, max_entries: int | None = None) -> np.ndarray:
        """The tensor as a dense array (guarded by the dense-size budget)."""
        size = int(np.prod(self.shape, dtype=object)) if self.shape else 1
        check_dense_size(f"constant tensor {self.name!r}", size, max_entries)
        out = np.zeros(self.shape, dtype=dtype)
        for idx, val in self.entries:
            out[idx] = float(val)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "shape": list(self.shape),
            "entries": [[list(idx), _exact_to_json(v)] for idx, v in self.entries],
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ConstantTensor:
        return cls(
            d["name"],
            tuple(d["shape"]),
            tuple((tuple(idx), v) for idx, v in d["entries"]),
            d.get("description", ""),
        )


@dataclass(frozen=True)
class LayerSpec:
    """Backend-neutral description of a layer ``x -> sum_b w_b B_b(x)``.

    Attributes
    ----------
    group : str
        The group, e.g. ``"S(5)"``.
    n, k, l : int
        Dimension, input order and output order.
    basis_kind : str
        Which basis (``"diagram"``, ``"orbit"``, ...).
    operations : tuple of Operation
        The distinct index contractions used.
    coefficients : tuple of tuples of (int, exact)
        For each basis element, its sparse row ``((op index, coefficient), ...)``.
    constants : tuple of ConstantTensor
        Constant tensors named by the operations.
    element_names : tuple of str
        A short text name of each basis element (e.g. the diagram).
    """

    group: str
    n: int
    k: int
    l: int
    basis_kind: str
    operations: tuple[Operation, ...]
    coefficients: tuple[tuple[tuple[int, Exact], ...], ...]
    constants: tuple[ConstantTensor, ...] = ()
    element_names: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        check_int("n", self.n, minimum=1)
        check_int("k", self.k, minimum=0)
        check_int("l", self.l, minimum=0)
        ops = tuple(self.operations)
        for j, op in enumerate(ops):
            if op.k != self.k or op.l != self.l:
                raise InvalidParameterError(
                    f"operation {j} has k={op.k}, l={op.l}; the spec has k={self.k}, l={self.l}"
                )
        rows = []
        for b, row in enumerate(self.coefficients):
            clean = []
            for j, c in row:
                if not 0 <= int(j) < len(ops):
                    raise InvalidParameterError(
                        f"basis element {b} names operation {j}; there are {len(ops)}"
                    )
                clean.append((int(j), _exact(c, f"coefficient of basis element {b}")))
            rows.append(tuple(clean))
        names = {c.name for c in self.constants}
        for j, op in enumerate(ops):
            for nm, lab in op.factors:
                if nm not in names:
                    raise InvalidParameterError(f"operation {j} uses unknown constant {nm!r}")
        if self.element_names and len(self.element_names) != len(rows):
            raise InvalidParameterError("element_names must have one name per basis element")
        object.__setattr__(self, "operations", ops)
        object.__setattr__(self, "coefficients", tuple(rows))
        object.__setattr__(self, "constants", tuple(self.constants))
        object.__setattr__(self, "element_names", tuple(self.element_names))
        object.__setattr__(self, "metadata", tuple(self.metadata))

    def __len__(self) -> int:
        return len(self.coefficients)

    @property
    def num_operations(self) -> int:
        """Number of distinct operations."""
        return len(self.operations)

    def constant(self, name: str) -> ConstantTensor:
        """The constant tensor called ``name``."""
        for c in self.constants:
            if c.name == name:
                return c
        raise InvalidParameterError(f"no constant named {name!r} in this spec")

    def coefficient_matrix(self, dtype: Any = np.float64):
        """The (len(basis), num_operations) matrix C as a scipy CSR matrix (floats)."""
        import scipy.sparse as sp

        r, c, v = [], [], []
        for b, row in enumerate(self.coefficients):
            for j, coef in row:
                r.append(b)
                c.append(j)
                v.append(float(coef))
        return sp.csr_matrix((np.asarray(v, dtype=dtype), (r, c)), shape=(len(self), self.num_operations))

    def plan(self, share: bool = True):
        """The executable factorisation shared by the fast executors (cached on the spec).

        Parameters
        ----------
        share : bool
            Share partial contractions between operations and merge equal output patterns
            (default); ``False`` gives the per-operation plan of the papers.

        Returns
        -------
        reptheory.kernels.SpecPlan

        Examples
        --------
        >>> import reptheory as rt
        >>> rt.layer_basis(rt.S(4), 1, 1).spec.plan().summary()
        '2 operations -> 2 reduce nodes (1 from other nodes, 1 free), 2 expand groups'
        """
        cache = self.__dict__.get("_plan_cache")
        if cache is None:
            cache = {}
            object.__setattr__(self, "_plan_cache", cache)
        plan = cache.get(bool(share))
        if plan is None:
            from ..kernels._plan import build_plan

            plan = cache[bool(share)] = build_plan(self, share=bool(share))
        return plan

    # -- serialisation ----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (exact rationals as ``"p/q"`` strings)."""
        return {
            "format": "reptheory.LayerSpec",
            "format_version": SPEC_FORMAT_VERSION,
            "reptheory_version": __version__,
            "group": self.group,
            "n": self.n,
            "k": self.k,
            "l": self.l,
            "basis_kind": self.basis_kind,
            "constants": [c.to_dict() for c in self.constants],
            "operations": [op.to_dict() for op in self.operations],
            "basis": [
                {
                    **({"name": self.element_names[b]} if self.element_names else {}),
                    "terms": [[j, _exact_to_json(c)] for j, c in row],
                }
                for b, row in enumerate(self.coefficients)
            ],
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LayerSpec:
        """Inverse of :meth:`to_dict` (minimal checks; :meth:`from_json` validates strictly)."""
        try:
            basis = d["basis"]
            names = tuple(e["name"] for e in basis) if basis and all("name" in e for e in basis) else ()
            return cls(
                group=str(d["group"]),
                n=d["n"],
                k=d["k"],
                l=d["l"],
                basis_kind=str(d["basis_kind"]),
                operations=tuple(Operation.from_dict(o) for o in d["operations"]),
                coefficients=tuple(tuple((j, c) for j, c in e["terms"]) for e in basis),
                constants=tuple(ConstantTensor.from_dict(c) for c in d.get("constants", ())),
                element_names=names,
                metadata=tuple(sorted(dict(d.get("metadata", {})).items())),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InvalidParameterError(f"not a valid LayerSpec dictionary: {exc!r}") from exc

    def to_json(self, indent: int | None = 1) -> str:
        """JSON text of :meth:`to_dict`, validated (:func:`reptheory.codegen.export_json`)."""
        from ._spec_json import export_json

        return export_json(self, indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> LayerSpec:
        """Parse :meth:`to_json` output, validated strictly against the JSON schema first.

        Raises
        ------
        InvalidParameterError
            Not JSON, or not a valid LayerSpec document (the message names the JSON path).

        Examples
        --------
        >>> import reptheory as rt
        >>> spec = rt.layer_basis(rt.S(3), 1, 1).spec
        >>> LayerSpec.from_json(spec.to_json()) == spec
        True
        """
        from ._spec_json import load_json

        return load_json(text)


def canonical_operations(
    ops_per_element: Sequence[Iterable[tuple[Operation, Exact]]],
) -> tuple[tuple[Operation, ...], tuple[tuple[tuple[int, Exact], ...], ...]]:
    """Deduplicate operations across basis elements (by canonical form).

    Takes, for each element, its terms ``(operation, coefficient)`` and returns the distinct
    operations and each element's sparse coefficient row (terms on one operation are summed,
    zero coefficients dropped).
    """
    index: dict[Operation, int] = {}
    ops: list[Operation] = []
    rows = []
    for terms in ops_per_element:
        acc: dict[int, Fraction] = {}
        for op, coef in terms:
            c = op.canonical()
            j = index.get(c)
            if j is None:
                j = index[c] = len(ops)
                ops.append(c)
            acc[j] = acc.get(j, Fraction(0)) + Fraction(coef)
        rows.append(
            tuple(
                (j, v.numerator if v.denominator == 1 else v)
                for j, v in sorted(acc.items())
                if v != 0
            )
        )
    return tuple(ops), tuple(rows)
