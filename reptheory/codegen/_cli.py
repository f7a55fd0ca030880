"""The ``reptheory codegen`` subcommand (``add_codegen_command`` is listed in
:mod:`reptheory.cli`).

Examples: ``reptheory codegen S 8 --k 2 --l 2 --target torch -o layer.py``,
``--target jax``, ``--target numpy``, ``--json`` (the LayerSpec as JSON instead of code).
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_codegen_command", "add_codegen_tp_command", "cmd_codegen", "cmd_codegen_tp"]


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


def add_codegen_tp_command(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``codegen-tp`` subcommand (SO(3) tensor products) to an argparse subparsers
    object.

    Example: ``reptheory codegen-tp cg 2 2 4 --target torch -o tp.py``.
    """
    p = subparsers.add_parser(
        "codegen-tp",
        help="generate a standalone torch / JAX / NumPy SO(3) tensor product (CG or Gaunt)",
        description="Write the source of a CG (per-path weights) or Gaunt (sphere grid) "
                    "tensor-product module that does not import reptheory.",
        epilog="Example: reptheory codegen-tp gaunt 3 3 6 --target jax -o gaunt.py",
    )
    p.add_argument("kind", choices=("cg", "gaunt"), help="product: cg or gaunt")
    p.add_argument("L1", type=int, help="degrees 0..L1 of the first input")
    p.add_argument("L2", type=int, help="degrees 0..L2 of the second input")
    p.add_argument("L_out", type=int, help="degrees 0..L_out of the output")
    p.add_argument("--target", default="torch", choices=("torch", "jax", "numpy"),
                   help="framework of the generated code (default torch)")
    p.add_argument("--name", default=None,
                   help="class / function name (a plain identifier; default CGTensorProduct / "
                        "GauntTensorProduct for torch, cg_tensor_product / gaunt_tensor_product "
                        "otherwise)")
    p.add_argument("--max-entries", type=int, default=None,
                   help="size guard (CG entries emitted, or Gaunt grid entries built at import)")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="write to FILE instead of standard output")
    p.set_defaults(handler=cmd_codegen_tp)


def cmd_codegen_tp(args: argparse.Namespace) -> int:
    """Handler of ``reptheory codegen-tp``; returns the exit status."""
    from ._tp_generate import generate_tensor_product

    text = generate_tensor_product(args.kind, args.L1, args.L2, args.L_out, target=args.target,
                                   name=args.name, max_entries=args.max_entries)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {args.target} code of the {args.kind} tensor product L1={args.L1}, "
              f"L2={args.L2}, L_out={args.L_out} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
