"""``TensorRep``: a direct sum of tensor orders with channels, e.g. ``"8x0+16x1+16x2"``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from .._validate import check_int
from ..errors import InvalidParameterError, ReptheoryTypeError

__all__ = ["TensorRep"]

_TERM = re.compile(r"^\s*(?:(\d+)\s*x\s*)?(\d+)\s*$")


class TensorRep(tuple):
    """A direct sum of tensor powers with channels: ``"8x0+16x1"`` is R^8 ⊕ (R^n ⊗ R^16).

    Each term ``cxk`` is ``c`` channels of order-k tensors (shape (c, n, ..., n) with k axes of
    size n). Terms are kept sorted by order, equal orders merged (``"2x1+3x1"`` is ``"5x1"``); a
    bare order ``"2"`` means one channel. The object is an immutable, hashable tuple of
    ``(order, channels)`` pairs, equal by value.

    Parameters
    ----------
    spec : str, dict {order: channels}, TensorRep, or iterable of (order, channels)

    Raises
    ------
    InvalidParameterError
        Text that does not parse, a negative order, fewer than 1 channel or an empty sum.
    ReptheoryTypeError
        Anything else.

    Examples
    --------
    >>> r = TensorRep("8x0+16x1+16x2")
    >>> r
    TensorRep('8x0+16x1+16x2')
    >>> r.orders, r[2], r.max_order
    ((0, 1, 2), 16, 2)
    >>> TensorRep({2: 4, 0: 1}) == TensorRep("1x0 + 4x2"), str(TensorRep("2+3x2+1x2"))
    (True, '5x2')
    >>> r.size(5)                     # 8 + 16 * 5 + 16 * 25
    488
    """

    def __new__(cls, spec: Any) -> TensorRep:
        if isinstance(spec, TensorRep):
            return spec
        if isinstance(spec, str):
            pairs = []
            if not spec.strip():
                raise InvalidParameterError("a TensorRep string must not be empty; write e.g. '8x0+16x1'")
            for term in spec.split("+"):
                m = _TERM.match(term)
                if m is None:
                    raise InvalidParameterError(
                        f"cannot parse {term.strip()!r} in TensorRep {spec!r}: each term must be "
                        "'<channels>x<order>' (e.g. '16x2') or '<order>'")
                pairs.append((int(m.group(2)), int(m.group(1)) if m.group(1) is not None else 1))
        elif isinstance(spec, Mapping):
            pairs = list(spec.items())
        elif isinstance(spec, (list, tuple)):
            pairs = list(spec)
        else:
            raise ReptheoryTypeError(
                f"a TensorRep is given as a string like '8x0+16x1', a dict {{order: channels}} or "
                f"(order, channels) pairs, got {type(spec).__name__}")
        merged: dict[int, int] = {}
        for p in pairs:
            try:
                k, c = p
            except (TypeError, ValueError):
                raise InvalidParameterError(f"TensorRep terms must be (order, channels) pairs, got {p!r}") from None
            k = check_int("order", k, minimum=0)
            c = check_int(f"channels of order {k}", c, minimum=1)
            merged[k] = merged.get(k, 0) + c
        if not merged:
            raise InvalidParameterError("a TensorRep needs at least one term, e.g. '8x0'")
        return super().__new__(cls, tuple(sorted(merged.items())))

    def __getnewargs__(self):
        return (tuple(self.items()),)

    # -- access -----------------------------------------------------------------------------
    @property
    def orders(self) -> tuple[int, ...]:
        """The tensor orders present, increasing."""
        return tuple(k for k, _ in self.items())

    @property
    def max_order(self) -> int:
        """The largest order."""
        return max(self.orders)

    def items(self) -> Iterator[tuple[int, int]]:
        """(order, channels) pairs, by increasing order."""
        return iter(tuple.__iter__(self))

    def channels(self, order: int) -> int:
        """Channels of ``order`` (0 when absent)."""
        return dict(self.items()).get(order, 0)

    def __getitem__(self, order):  # type: ignore[override]
        """``rep[k]``: the channels of order k (KeyError when absent)."""
        if isinstance(order, slice):
            raise ReptheoryTypeError("TensorRep is indexed by order: rep[2] is the channels of order 2")
        d = dict(self.items())
        if order not in d:
            raise KeyError(f"order {order} is not in {self!s}")
        return d[order]

    def __iter__(self) -> Iterator[int]:  # type: ignore[override]
        """Iterate over the orders (like a dict's keys)."""
        return iter(self.orders)

    def __contains__(self, order: object) -> bool:  # type: ignore[override]
        return order in self.orders

    def as_dict(self) -> dict[int, int]:
        """``{order: channels}``."""
        return dict(self.items())

    def size(self, n: int) -> int:
        """Number of scalars at size n: sum of channels * n**order."""
        n = check_int("n", n, minimum=1)
        return sum(c * n**k for k, c in self.items())

    def __str__(self) -> str:
        return "+".join(f"{c}x{k}" for k, c in self.items())

    def __repr__(self) -> str:
        return f"TensorRep({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TensorRep) and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(("TensorRep", tuple(self.items())))

    def __add__(self, other):  # type: ignore[override]
        """Direct sum: ``TensorRep('1x0') + '2x1'`` is ``TensorRep('1x0+2x1')``."""
        return TensorRep(list(self.items()) + list(TensorRep(other).items()))
