"""The ``reptheory codegen`` subcommand (registered by the lead via
``reptheory.cli.register_command(add_codegen_command)``).

Examples: ``reptheory codegen S 8 --k 2 --l 2 --target torch -o layer.py``,
``--target jax``, ``--target numpy``, ``--json`` (the LayerSpec as JSON instead of code).
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_codegen_command", "cmd_codegen"]


def add_codegen_command(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``codegen`` subcommand to an argparse subparsers object."""
    p = subparsers.add_parser(
        "codegen",
        help="generate a standalone torch / JAX / NumPy layer (or the JSON pattern)",
        description="Write the source of a layer module that does not import reptheory.",
        epilog="Example: reptheory codegen S 8 --k 2 --l 2 --target torch -o layer.py",
    )
    p.add_argument("group", help="group name, e.g. S (see 'reptheory info')")
    p.add_argument("n", type=int, help="dimension n of R^n")
    p.add_argument("--k", type=int, default=1, help="input tensor order k (default 1)")
    p.add_argument("--l", type=int, default=1, help="output tensor order l (default 1)")
    p.add_argument("--kind", default=None, help="basis kind (S: diagram [default] or orbit)")
    p.add_argument("--target", default="torch", choices=("torch", "jax", "numpy"),
                   help="framework of the generated code (default torch)")
    p.add_argument("--name", default=None,
                   help="class / function name (a plain identifier; default EquivariantLayer "
                        "for torch, equivariant_layer otherwise)")
    p.add_argument("--no-bias", action="store_true", help="leave out the equivariant bias")
    p.add_argument("--json", action="store_true",
                   help="write the LayerSpec as versioned JSON instead of code")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="write to FILE instead of standard output")
    p.set_defaults(handler=cmd_codegen)


def cmd_codegen(args: argparse.Namespace) -> int:
    """Handler of ``reptheory codegen``; returns the exit status."""
    from ..groups import group_from_name
    from ..layers import layer_basis
    from ._generate import generate
    from ._json import export_json

    G = group_from_name(args.group, args.n)
    B = layer_basis(G, args.k, args.l, kind=args.kind)
    if args.json:
        text = export_json(B.spec) + "\n"
    else:
        text = generate(B, target=args.target, name=args.name,
                        bias=False if args.no_bias else None)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        what = "JSON" if args.json else f"{args.target} code"
        print(f"wrote {what} for {G!r}, k={args.k}, l={args.l} ({len(B)} basis elements) "
              f"to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
