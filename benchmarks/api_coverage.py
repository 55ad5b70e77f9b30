"""Which public names of PyTorch and Keras 3 Ember lacks: the compatibility coverage report.

For each reference namespace (``torch``, ``torch.nn``, ``keras.layers`` …) it lists the
public names (no leading underscore, not a submodule import of an unrelated package) and
checks whether the matching Ember namespace has an attribute of that name. The result is a
markdown report: one table of shares, then the missing names per namespace.

    python benchmarks/api_coverage.py                 # prints the report
    python benchmarks/api_coverage.py --out docs/api_coverage.md

Needs torch (2.13) and keras (3, run here on its torch backend); both are in the test extra.
A name counts as covered when Ember has it, whatever its quality: the tests, not this
report, say whether it behaves like the original.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
import types

# Pairs (reference module, Ember module). The Ember side is reached by attribute access from
# ``ember`` so that lazily loaded sub-packages count as present.
TORCH_PAIRS = [
    ("torch", "ember"),
    ("torch.nn", "ember.nn"),
    ("torch.nn.functional", "ember.nn.functional"),
    ("torch.optim", "ember.optim"),
    ("torch.optim.lr_scheduler", "ember.optim.lr_scheduler"),
    ("torch.linalg", "ember.linalg"),
    ("torch.fft", "ember.fft"),
    ("torch.special", "ember.special"),
    ("torch.distributions", "ember.distributions"),
    ("torch.autograd", "ember.autograd"),
    ("torch.func", "ember.func"),
    ("torch.utils.data", "ember.utils.data"),
]
KERAS_PAIRS = [
    ("keras", "ember.keras"),
    ("keras.layers", "ember.keras.layers"),
    ("keras.ops", "ember.keras.ops"),
    ("keras.losses", "ember.keras.losses"),
    ("keras.metrics", "ember.keras.metrics"),
    ("keras.optimizers", "ember.keras.optimizers"),
    ("keras.callbacks", "ember.keras.callbacks"),
    ("keras.utils", "ember.keras.utils"),
]

# torch's top level holds hundreds of private-by-convention or build-specific names
# (dtype objects, C++ helpers, legacy storage classes); a program written for PyTorch
# doesn't use these, so they are left out of the count rather than reported missing.
TORCH_TOP_LEVEL_SKIP_PREFIXES = ("cudnn_", "miopen_", "mkldnn_", "fbgemm_", "quantized_",
                                 "q_", "native_", "sym_", "is_nonzero", "mps_", "xpu_")


def public_names(module: types.ModuleType) -> list[str]:
    """The names a user may reach on ``module``: ``__all__`` if it says, else its public attributes."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    out = []
    for name in names:
        if name.startswith("_"):
            continue
        value = getattr(module, name, None)
        if isinstance(value, types.ModuleType) and not value.__name__.startswith(module.__name__):
            continue  # an import of another package (e.g. ``torch.nn.functional.math``)
        out.append(name)
    return sorted(set(out))


def resolve(dotted: str):
    """Import ``dotted``, or walk attributes from its package when it is not importable."""
    try:
        return importlib.import_module(dotted)
    except ImportError:
        head, _, tail = dotted.rpartition(".")
        parent = resolve(head) if head else None
        return getattr(parent, tail, None) if parent is not None else None


def compare(reference_name: str, ember_name: str) -> tuple[list[str], list[str]]:
    """(covered, missing) names of the reference namespace."""
    reference = importlib.import_module(reference_name)
    names = public_names(reference)
    if reference_name == "torch":
        names = [n for n in names if not n.startswith(TORCH_TOP_LEVEL_SKIP_PREFIXES)
                 and not (inspect.isclass(getattr(reference, n, None)) and n.endswith("Storage"))]
    ember_module = resolve(ember_name)
    covered, missing = [], []
    for name in names:
        (covered if ember_module is not None and hasattr(ember_module, name) else missing).append(name)
    return covered, missing


def report(pairs) -> str:
    rows, details = [], []
    total_covered = total = 0
    for reference_name, ember_name in pairs:
        try:
            covered, missing = compare(reference_name, ember_name)
        except ImportError as error:
            rows.append(f"| `{reference_name}` | – | – | not importable: {error} |")
            continue
        count = len(covered) + len(missing)
        total_covered += len(covered)
        total += count
        share = 100.0 * len(covered) / count if count else 100.0
        rows.append(f"| `{reference_name}` | {len(covered)} / {count} | {share:.0f}% | `{ember_name}` |")
        if missing:
            details.append(f"### `{reference_name}`: {len(missing)} missing\n\n"
                           + ", ".join(f"`{n}`" for n in missing) + "\n")
    share = 100.0 * total_covered / total if total else 100.0
    head = ["| namespace | covered | share | Ember's |", "| --- | --- | --- | --- |", *rows,
            f"| **all** | {total_covered} / {total} | **{share:.0f}%** | |"]
    return "\n".join(head) + "\n\n" + "\n".join(details)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the markdown report here instead of printing it")
    parser.add_argument("--only", choices=("torch", "keras"), help="one side only")
    args = parser.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import torch
    parts = ["# API coverage: the public names Ember lacks\n",
             "Made by `python benchmarks/api_coverage.py`. A name is covered when the Ember "
             "namespace has it; the tests check behaviour.\n"]
    if args.only in (None, "torch"):
        parts += [f"## PyTorch {torch.__version__}\n", report(TORCH_PAIRS)]
    if args.only in (None, "keras"):
        import keras
        parts += [f"## Keras {keras.__version__} (torch backend)\n", report(KERAS_PAIRS)]
    text = "\n".join(parts)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
