"""Importing a package's submodules under a second name (``ember.utils.data.X`` is ``ember.data.X``).

Registering ``sys.modules["ember.utils.data"] = ember.data`` makes the package
importable under the alias, but not its submodules: Python would find
``dataloader.py`` through the package's ``__path__`` and execute it a second
time as ``ember.utils.data.dataloader``, whose relative imports then fail. The
finder below answers for every name under the alias with the module already
loaded under the real name, so both names give the same module objects.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys


class _AliasFinder:
    """A meta-path finder and loader, duck-typed: importing ``importlib.abc`` for its base
    classes would pull in ``importlib.resources``, several ms of ``import ember``."""

    def __init__(self, alias: str, target: str):
        self.alias, self.target = alias, target

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(self.alias + "."):
            return None
        real = self.target + fullname[len(self.alias):]
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self, origin=real)

    def create_module(self, spec):
        return importlib.import_module(spec.origin)  # the module under its real name

    def exec_module(self, module):
        pass  # already executed when it was imported under its real name


def alias_package(alias: str, target: str) -> None:
    """Make ``import alias.sub`` give the module ``target.sub`` (``target`` must be imported)."""
    sys.modules[alias] = sys.modules[target]
    if not any(isinstance(f, _AliasFinder) and f.alias == alias for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder(alias, target))
