"""Pytest: without mpi4py, skip the doctests here that start an MPI world (NumPy ships such files too).

The test suite's own MPI tests (``tests/distributed``) skip themselves, saying why.
"""
from ember.distributed import _mpi

_NEED_MPI = ["__init__.py", "collectives.py", "ddp.py", "process_group.py", "strategy.py", "work.py"]

collect_ignore = [] if _mpi.is_available() else _NEED_MPI
