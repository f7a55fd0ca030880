"""The ``reptheory`` command line (also ``python -m reptheory``).

Subcommands: ``basis``, ``dim``, ``info`` (more are added by other parts of the package).
Errors print one line to stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

__all__ = ["build_parser", "main", "register_command"]

# functions(subparsers) that add a subcommand and set its handler via set_defaults
_EXTRA_COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []

# subcommands of the package's parts, as "module:function" (imported when the parser is built)
_PART_COMMANDS = (
    "reptheory.polynomials._cli:add_cli",
    "reptheory.algebroids._cli:add_cli",
    "reptheory.codegen._cli:add_codegen_command",
    "reptheory.codegen._cli:add_codegen_tp_command",
    "reptheory.so3._cli:add_cli",
    "reptheory.cli._pattern:add_pattern_command",
)


def register_command(add: Callable[[argparse._SubParsersAction], None]) -> None:
    """Register a function that adds a subcommand (used by optional parts of the package)."""
    _EXTRA_COMMANDS.append(add)


def _add_group_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("group", help="group: S (symmetric), A (alternating), O, SO, Sp (n even)")
    p.add_argument("n", type=int, help="dimension n of R^n")
    p.add_argument("--k", type=int, default=1, help="input tensor order k (default 1)")
    p.add_argument("--l", type=int, default=1, help="output tensor order l (default 1)")


def build_parser() -> argparse.ArgumentParser:
    from ._commands import cmd_basis, cmd_dim, cmd_info

    parser = argparse.ArgumentParser(
        prog="reptheory",
        description="Exact bases of equivariant linear layers (R^n)^{⊗k} -> (R^n)^{⊗l}.",
        epilog="Example: reptheory basis S 5 --k 2 --l 2",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("basis", help="print the basis of equivariant maps (diagrams)")
    _add_group_args(p)
    p.add_argument("--kind", default=None, help="basis kind (S and A: diagram [default] or orbit)")
    p.add_argument("--spanning", action="store_true",
                   help="all diagrams (a spanning set; dependent when n is small)")
    p.add_argument("--json", action="store_true", help="print the LayerSpec as JSON")
    p.add_argument("--draw", metavar="FILE", help="draw the diagrams to FILE (.png or .svg)")
    p.set_defaults(handler=cmd_basis)

    p = sub.add_parser("dim", help="print the dimension of the space of equivariant maps")
    _add_group_args(p)
    p.add_argument("--all-methods", action="store_true",
                   help="show every independent way of computing it (e.g. S: Stirling sum, McKay quiver)")
    p.set_defaults(handler=cmd_dim)

    p = sub.add_parser("info", help="version and optional backends found")
    p.set_defaults(handler=cmd_info)

    import importlib

    for target in _PART_COMMANDS:
        module, func = target.split(":")
        getattr(importlib.import_module(module), func)(sub)
    for add in _EXTRA_COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    from ..errors import ReptheoryError

    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None) or getattr(args, "func", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except ReptheoryError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"reptheory: error: {msg}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        print("reptheory: interrupted", file=sys.stderr)
        return 130
