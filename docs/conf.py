"""Sphinx configuration for the reptheory documentation.

Build (from the repository root; ``-W`` turns warnings into errors)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

What this file does besides ordinary settings:

* puts the repository root on ``sys.path`` and on ``PYTHONPATH`` (so the Jupyter kernels that
  myst-nb starts import the checked-out package even when it is not installed);
* copies the tutorials (``tutorials/*.md``, MyST markdown notebooks) into
  ``docs/tutorials/nb/`` (generated, git-ignored) because Sphinx only reads files below its
  source directory; a tutorial is added to the site by dropping a file into ``tutorials/``;
* writes one API page per public subpackage into ``docs/api/generated/`` from the
  subpackage's ``__all__`` (so every public name is documented and a new subpackage needs one
  line in :data:`API_MODULES`);
* copies benchmark results (``benchmarks/results/*.md``, ``*.png``, ``*.svg``) into
  ``docs/benchmarks/generated/`` and lists them on the benchmarks page.
"""

from __future__ import annotations

import filecmp
import importlib
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
)

import reptheory  # noqa: E402

# -- project ------------------------------------------------------------------------------------
project = "reptheory"
author = "reptheory developers"
copyright = "reptheory developers"
release = reptheory.__version__
version = ".".join(release.split(".")[:2])

# -- extensions ---------------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_nb",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    # Plain-markdown notes written by the helpers of each part; they are turned into pages
    # (conventions, tutorials) by hand and are not pages themselves.
    "notes_*.md",
    "README.md",
    # Benchmark tables are pulled into benchmarks.md with {include}; not pages of their own.
    "benchmarks/generated/**",
]
templates_path = ["_templates"]
root_doc = "index"

# -- intersphinx --------------------------------------------------------------------------------
# CI has no network. Sphinx fetches intersphinx inventories at build time, and an unreachable URL
# is a *warning*, which -W turns into a failed build. So the mappings are switched on only when
# REPTHEORY_DOCS_INTERSPHINX=1 is set (e.g. when publishing the site from a machine that is
# online). Without them, references such as :class:`numpy.ndarray` render as plain code text,
# with no warning (the build is not nitpicky), so the offline build is otherwise identical.
# Alternative considered: shipping objects.inv files in the repository; rejected because they
# go stale and add ~1 MB of binary files per project.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
if os.environ.get("REPTHEORY_DOCS_INTERSPHINX", "") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "scipy": ("https://docs.scipy.org/doc/scipy", None),
        "sympy": ("https://docs.sympy.org/latest", None),
        "networkx": ("https://networkx.org/documentation/stable", None),
        "torch": ("https://docs.pytorch.org/docs/stable", None),
        "matplotlib": ("https://matplotlib.org/stable", None),
    }
intersphinx_timeout = 10

# -- autodoc / autosummary / numpydoc ---------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc sections carry the types; signatures stay readable
autodoc_mock_imports: list[str] = []
numpydoc_show_class_members = False  # the class template lists members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- MyST / myst-nb ---------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
# Notebooks are executed during the build and the results cached (keyed by the notebook's code),
# so a rebuild re-runs only tutorials whose code changed. The cache lives in the build folder.
nb_execution_mode = os.environ.get("REPTHEORY_DOCS_EXECUTE", "cache")
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_timeout = 180
nb_execution_raise_on_error = True  # a failing tutorial fails the build
nb_execution_show_tb = True
nb_merge_streams = True
nb_render_image_options = {"align": "center"}
# Tutorials show small tables with IPython.display.Markdown; parse them as MyST (tables, math).
nb_render_markdown_format = "myst"

# -- MathJax ----------------------------------------------------------------------------------
# MathJax is loaded by the reader's browser from a CDN (nothing is fetched at build time). To look
# at pages offline, point REPTHEORY_DOCS_MATHJAX_PATH at a local copy, e.g. Debian's
# libjs-mathjax: file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML
if os.environ.get("REPTHEORY_DOCS_MATHJAX_PATH"):
    mathjax_path = os.environ["REPTHEORY_DOCS_MATHJAX_PATH"]
    if "MathJax.js" in mathjax_path:  # MathJax 2: process only math (as myst-nb asks of v3)
        mathjax2_config = {"tex2jax": {
            "inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]],
            "processEscapes": True,
            "processClass": "tex2jax_process|mathjax_process|math|output_area",
        }}

# -- HTML -----------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"reptheory {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {page: [] for page in ("index", "installation", "guide", "conventions", "benchmarks")}
html_show_sourcelink = False

# Docstrings are reStructuredText, where a bare |x| is a substitution reference: write
# ``|x|`` in docstrings (the -W build fails on an undefined substitution).

suppress_warnings = [
    # myst-nb warns about the mime types it cannot render in some outputs (e.g. widgets).
    "mystnb.unknown_mime_type",
]

# =================================================================================================
# Generated sources
# =================================================================================================


def _copy_if_changed(src: Path, dst: Path) -> None:
    """Copy keeping the old file when identical (so Sphinx does not rebuild it)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
        shutil.copyfile(src, dst)


def _sync_dir(sources: list[Path], target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    names = {s.name for s in sources}
    for old in target.iterdir():
        if old.is_file() and old.name not in names and not old.name.startswith("_"):
            old.unlink()
    for s in sources:
        _copy_if_changed(s, target / s.name)


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


# -- tutorials --------------------------------------------------------------------------------------
TUTORIALS_SRC = ROOT / "tutorials"
_sync_dir(sorted(TUTORIALS_SRC.glob("*.md")) if TUTORIALS_SRC.is_dir() else [],
          HERE / "tutorials" / "nb")

# -- API pages ----------------------------------------------------------------------------------
#: Public modules documented on the API page, in this order. A new subpackage needs one line here
#: (plus its ``__all__``); every name in ``__all__`` then gets its own page.
API_MODULES: list[tuple[str, str]] = [
    ("reptheory", "Top-level names (re-exported from the subpackages below)"),
    ("reptheory.groups", "Groups and their defining representations"),
    ("reptheory.diagrams", "Diagrams: partition diagrams, composition, pictures"),
    ("reptheory.layers", "Layer bases, exact dimensions and the LayerSpec IR"),
    ("reptheory.kernels", "Executors (backends) of a LayerSpec"),
    ("reptheory.polynomials", "Equivariant graph polynomials"),
    ("reptheory.algebroids", "Jets and bᵏ-algebroids"),
    ("reptheory.testing", "Numerical equivariance checks"),
    ("reptheory.errors", "Exceptions"),
    ("reptheory.cli", "Command line"),
    ("reptheory.so3", "SO(3) and SO(2): spherical harmonics, Wigner D, exact coefficients"),
    ("reptheory.so3.conventions", "Conversions to e3nn's and sphericart's conventions"),
    ("reptheory.codegen", "Code generation (PyTorch, JAX, NumPy) and the JSON pattern"),
    ("reptheory.numpy", "Plain-numpy equivariant layers"),
    ("reptheory.torch", "PyTorch layers (imports torch)"),
    ("reptheory.models", "Models for sets and graphs of any size: DeepSets, 2-IGN, PPGN (imports torch)"),
]
# Subpackages being written; documented automatically once they exist on the branch being built.
OPTIONAL_API_MODULES: list[tuple[str, str]] = [
]

API_DIR = HERE / "api" / "generated"


def _home(name: str, obj: object) -> str | None:
    """The documented full name of a top-level re-export (in the most specific subpackage)."""
    for mod_name, _ in API_MODULES[1:] + OPTIONAL_API_MODULES:
        try:
            mod = sys.modules.get(mod_name) or importlib.import_module(mod_name)
        except Exception:  # noqa: BLE001 - optional subpackage that does not exist (yet)
            continue
        if name in getattr(mod, "__all__", ()) and getattr(mod, name, None) is obj:
            return f"{mod_name}.{name}"
    return None


def _api_page(mod_name: str, title: str) -> str | None:
    try:
        mod = importlib.import_module(mod_name)
    except ImportError:
        return None
    heading = f"``{mod_name}``"
    lines = [heading, "=" * len(heading), "", f".. currentmodule:: {mod_name}", "",
             f".. automodule:: {mod_name}", "   :no-members:", "", title + ".", ""]
    names = [n for n in getattr(mod, "__all__", []) if not n.startswith("_")]
    if mod_name == "reptheory":
        rows = []
        for n in names:
            home = _home(n, getattr(mod, n))
            # relative to the current module (autosummary rejects the module's own prefix)
            rows.append(f"   ~{home[len('reptheory.'):]}" if home else f"   {n}")
        lines += [
            "Every name below is importable as ``reptheory.<name>``; it is documented in the",
            "subpackage it comes from.", "",
            ".. autosummary::", "", *rows, "",
        ]
    else:
        funcs, classes, data = [], [], []
        for n in names:
            obj = getattr(mod, n)
            if isinstance(obj, type):
                classes.append(n)
            elif callable(obj):
                funcs.append(n)
            else:
                data.append(n)
        for label, group in (("Classes", classes), ("Functions", funcs)):
            if group:
                lines += [label, "-" * len(label), "", ".. autosummary::",
                          "   :toctree: .", "   :nosignatures:", "",
                          *[f"   {n}" for n in group], ""]
        if data:
            lines += ["Constants", "---------", ""]
            for n in data:
                lines += [f".. autodata:: {n}", "   :no-value:", ""]
                value = getattr(mod, n)
                if isinstance(value, (int, str, float)):
                    lines += [f"   Value: ``{value!r}``", ""]
    return "\n".join(lines)


def _write_api_pages() -> None:
    written = []
    for mod_name, title in API_MODULES + OPTIONAL_API_MODULES:
        page = _api_page(mod_name, title)
        if page is None:
            if (mod_name, title) in API_MODULES:
                raise ImportError(f"cannot import {mod_name} to document it")
            continue
        _write_if_changed(API_DIR / f"{mod_name}.rst", page)
        written.append(mod_name)
    toc = ["API reference", "=============", "",
           "One page per public module; each public name has its own page.", "",
           ".. toctree::", "   :maxdepth: 1", "",
           *[f"   {m}" for m in written], ""]
    _write_if_changed(API_DIR / "index.rst", "\n".join(toc))


_write_api_pages()

# -- benchmark results ------------------------------------------------------------------------------
BENCH_RESULTS = ROOT / "benchmarks" / "results"
_bench_files = sorted(
    p for p in (BENCH_RESULTS.iterdir() if BENCH_RESULTS.is_dir() else [])
    if p.suffix in {".md", ".png", ".svg"}
)
_sync_dir(_bench_files, HERE / "benchmarks" / "generated")


def _write_benchmark_index() -> None:
    tables = [p for p in _bench_files if p.suffix == ".md"]
    pictures = [p for p in _bench_files if p.suffix in {".png", ".svg"}]
    out = []
    if not _bench_files:
        out += ["```{note}",
                "No benchmark results are in this checkout yet (``benchmarks/results/`` is empty).",
                "Run the scripts as described above and rebuild the documentation.",
                "```", ""]
    for t in tables:
        stem = t.stem
        out += [f"## {stem}", "", f"```{{include}} /benchmarks/generated/{t.name}", "```", ""]
        for pic in pictures:
            if pic.stem == stem or pic.stem.startswith(stem + "_"):
                out += [f"```{{image}} /benchmarks/generated/{pic.name}", ":alt: " + pic.stem,
                        ":width: 90%", "```", ""]
    lone = [p for p in pictures
            if not any(p.stem == t.stem or p.stem.startswith(t.stem + "_") for t in tables)]
    for pic in lone:
        out += [f"## {pic.stem}", "", f"```{{image}} /benchmarks/generated/{pic.name}",
                ":alt: " + pic.stem, ":width: 90%", "```", ""]
    _write_if_changed(HERE / "benchmarks" / "generated" / "_results.md.inc", "\n".join(out))


_write_benchmark_index()


# -- broken links into the package fail the build ---------------------------------------------------
def _warn_unresolved_reptheory(app, env, node, contnode):
    """Warn (an error under -W) when a cross-reference to ``reptheory.*`` does not resolve.

    The build is not nitpicky (references to numpy etc. may be unresolvable offline), but a link
    to one of our own names must point at a documented object.
    """
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py":
        return None
    # A top-level re-export (reptheory.hom_dimension) links to its documented home
    # (reptheory.layers.hom_dimension).
    parts = target.lstrip("~.").split(".")
    if len(parts) >= 2 and parts[0] == "reptheory" and parts[1] in reptheory.__all__:
        home = _home(parts[1], getattr(reptheory, parts[1]))
        if home is not None:
            new_target = ".".join([home, *parts[2:]])
            domain = env.get_domain("py")
            resolved = domain.resolve_xref(env, node.get("refdoc", ""), app.builder,
                                           node.get("reftype"), new_target, node, contnode)
            if resolved is not None:
                return resolved
    if target.lstrip("~.").startswith("reptheory"):
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "unresolved reference to %s (document it or use its documented path)", target,
            location=node, type="reptheory", subtype="ref")
    return None


def _public_bases(app, name, obj, options, bases):
    """Show public ancestors instead of private helper bases (``_DirectSum`` -> ``object``).

    A private base class has no page, so "Bases: _DirectSum" would be an unresolved reference.
    """
    out = []
    for base in bases:
        while getattr(base, "__name__", "").startswith("_") and base is not object:
            parents = [b for b in base.__bases__ if b is not object]
            base = parents[0] if parents else object
        if base not in out:
            out.append(base)
    bases[:] = out


def setup(app):
    app.connect("missing-reference", _warn_unresolved_reptheory, priority=900)
    app.connect("autodoc-process-bases", _public_bases)
