"""Argument types and helpers shared by every subcommand of the command line."""

from __future__ import annotations

import argparse
import os
from fractions import Fraction

__all__ = [
    "add_budget_argument",
    "add_group_arguments",
    "check_output_path",
    "half_integer",
    "nonnegative_int",
    "positive_int",
    "write_output",
]


def _int(text: str, minimum: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected {what}, got {value}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    return _int(text, 1, "an integer >= 1")


def nonnegative_int(text: str) -> int:
    """argparse type: an integer >= 0."""
    return _int(text, 0, "an integer >= 0")


def half_integer(text: str) -> Fraction:
    """argparse type: an integer or half-integer >= 0, written ``3``, ``3/2`` or ``1.5``.

    Examples
    --------
    >>> half_integer("3/2"), half_integer("1.5"), half_integer("2")
    (Fraction(3, 2), Fraction(3, 2), Fraction(2, 1))
    """
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(
            f"expected an integer or half-integer such as 2 or 3/2, got {text!r}") from None
    if value < 0 or (2 * value).denominator != 1:
        raise argparse.ArgumentTypeError(
            f"expected an integer or half-integer >= 0 such as 2 or 3/2, got {text!r}")
    return value


def add_group_arguments(p: argparse.ArgumentParser) -> None:
    """The positional ``group n`` and the options ``--k``, ``--l`` of the layer commands."""
    p.add_argument("group", help="group: S (symmetric), A (alternating), O, SO, Sp (n even); "
                                 "see 'reptheory info'")
    p.add_argument("n", type=positive_int, nargs="?", default=None,
                   help="dimension n of R^n (an integer >= 1); left out: any n (S only)")
    p.add_argument("--k", type=nonnegative_int, default=1, help="input tensor order k (default 1)")
    p.add_argument("--l", type=nonnegative_int, default=1, help="output tensor order l (default 1)")


def add_budget_argument(p: argparse.ArgumentParser) -> None:
    """``--max-entries N``: the size budget (overrides ``REPTHEORY_MAX_DENSE_ENTRIES``)."""
    p.add_argument("--max-entries", type=positive_int, default=None, metavar="N",
                   help="size budget in 8-byte entries for everything the command builds "
                        "(default: $REPTHEORY_MAX_DENSE_ENTRIES, else 2**27 = 1 GiB)")


def check_output_path(path: str | None, option: str) -> None:
    """Raise a clear error before any work if ``path``'s folder does not exist or is a file."""
    if path is None:
        return
    from ..errors import InvalidParameterError

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InvalidParameterError(f"{option} {path}: the folder {folder} does not exist")
    if os.path.isdir(path):
        raise InvalidParameterError(f"{option} {path}: is a folder, expected a file name")


def write_output(path: str, text: str, option: str) -> None:
    """Write ``text`` to ``path``; an OS error becomes a one-line error naming ``option``."""
    from ..errors import InvalidParameterError

    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InvalidParameterError(f"{option} {path}: {exc.strerror or exc}") from None
