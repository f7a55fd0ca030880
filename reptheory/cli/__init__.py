"""The ``reptheory`` command line (also ``python -m reptheory``).

Every subcommand is added the same way: a function ``add_<name>_command(subparsers)`` that
builds its parser, gives every argument a help text, and sets ``handler=cmd_<name>`` (a
function ``cmd_<name>(args) -> exit status``) with ``set_defaults``. The package's own
subcommands are listed in :data:`COMMANDS` (imported when the parser is built, so that
``import reptheory.cli`` stays light); :func:`register_command` adds more to the same list.

Errors print one line to stderr and exit with status 2; option names in the message are the
command-line spellings (``--max-entries``), not Python keywords.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Callable, Sequence

__all__ = ["COMMANDS", "build_parser", "main", "register_command"]

#: The subcommands, in the order of ``reptheory --help``: "module:function" (imported when the
#: parser is built) or a function, each adding one subcommand to an argparse subparsers object.
COMMANDS: list[str | Callable[[argparse._SubParsersAction], object]] = [
    "reptheory.cli._commands:add_basis_command",
    "reptheory.cli._commands:add_dim_command",
    "reptheory.cli._pattern:add_pattern_command",
    "reptheory.codegen._cli:add_codegen_command",
    "reptheory.codegen._cli:add_codegen_tp_command",
    "reptheory.so3._cli:add_so3_command",
    "reptheory.polynomials._cli:add_polynomials_command",
    "reptheory.algebroids._cli:add_algebroids_command",
    "reptheory.cli._commands:add_info_command",
]

# Python spellings in error messages -> command-line spellings
_CLI_SPELLINGS = (
    (re.compile(r"\bmax_entries=\.\.\."), "--max-entries N"),
    (re.compile(r"(?<!-)\bmax_entries\b"), "--max-entries"),
    (re.compile(r"\bask for the dimension only with hom_dimension\b"),
     "ask for the dimension only with 'reptheory dim'"),
    (re.compile(r"\bkind='(\w+)'"), r"the kind \1"),
    (re.compile(r"\bmax_degree=(\d+)"), r"--max-degree \1"),
    (re.compile(r"\bnumerical=False\b"), "--no-numerical"),
)


class _UsageError(Exception):
    """A command-line usage error (bad option value, unknown option); printed on one line."""

    def __init__(self, prog: str, message: str) -> None:
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors become one line (exit status 2) in :func:`main`."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(self.prog, message)


def register_command(add: str | Callable[[argparse._SubParsersAction], object]) -> None:
    """Add a subcommand: ``add(subparsers)`` (or its ``"module:function"`` name) builds it.

    ``add`` must call ``subparsers.add_parser(...)`` and ``set_defaults(handler=...)``.

    Examples
    --------
    >>> def add_hello_command(subparsers):
    ...     p = subparsers.add_parser("hello", help="print hello")
    ...     p.set_defaults(handler=lambda args: print("hello") or 0)
    >>> register_command(add_hello_command)
    >>> main(["hello"])
    hello
    0
    >>> COMMANDS.remove(add_hello_command)
    """
    COMMANDS.append(add)


def _resolve(add: str | Callable) -> Callable:
    if callable(add):
        return add
    module, func = add.split(":")
    return getattr(importlib.import_module(module), func)


def build_parser() -> argparse.ArgumentParser:
    """The ``reptheory`` argument parser with every subcommand of :data:`COMMANDS`."""
    from .. import __version__

    parser = _Parser(
        prog="reptheory",
        description="Exact bases of equivariant linear layers (R^n)^{⊗k} -> (R^n)^{⊗l}, "
                    "SO(3) tools, graph polynomials and code generation.",
        epilog="Example: reptheory basis S 5 --k 2 --l 2.  Size limits: --max-entries N or "
               "the REPTHEORY_MAX_DENSE_ENTRIES environment variable.",
    )
    parser.add_argument("--version", action="version", version=f"reptheory {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        _resolve(add)(sub)
    return parser


def _cli_message(exc: BaseException) -> str:
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for pattern, spelling in _CLI_SPELLINGS:
        msg = pattern.sub(spelling, msg)
    return msg


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from ..errors import ReptheoryError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(f"{exc.prog}: error: {exc} (see '{exc.prog} --help')", file=sys.stderr)
        return 2
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    budget = getattr(args, "max_entries", None)
    saved = os.environ.get("REPTHEORY_MAX_DENSE_ENTRIES")
    if budget is not None:  # --max-entries: the one size budget, for everything the command does
        os.environ["REPTHEORY_MAX_DENSE_ENTRIES"] = str(budget)
    try:
        return int(handler(args) or 0)
    except ReptheoryError as exc:
        print(f"reptheory: error: {_cli_message(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        print("reptheory: interrupted", file=sys.stderr)
        return 130
    finally:
        if budget is not None:
            if saved is None:
                os.environ.pop("REPTHEORY_MAX_DENSE_ENTRIES", None)
            else:
                os.environ["REPTHEORY_MAX_DENSE_ENTRIES"] = saved
