"""Loading mpi4py lazily, with an install hint when it is missing.

Importing ``mpi4py.MPI`` initialises MPI, so nothing in Ember does it at
import time: only :func:`ember.distributed.init_process_group` does.
"""
from __future__ import annotations

import os

from .errors import DistributedError

INSTALL_HINT = ("ember.distributed needs mpi4py and an MPI runtime: "
                "pip install 'ember[distributed]' (mpi4py with the mpich wheel), "
                "or install mpi4py against your system's MPI")

# Variables a launcher sets for each process it starts: (size variable, launcher name).
_LAUNCHER_SIZE_VARIABLES = (("PMI_SIZE", "MPICH/Hydra"), ("OMPI_COMM_WORLD_SIZE", "Open MPI"),
                            ("MV2_COMM_WORLD_SIZE", "MVAPICH"))


def load():
    """Return the ``mpi4py.MPI`` module (initialising MPI), or raise with an install hint."""
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise DistributedError(INSTALL_HINT) from error
    return MPI


def is_available() -> bool:
    """True when mpi4py can be imported (checked without initialising MPI)."""
    import importlib.util
    try:
        return importlib.util.find_spec("mpi4py") is not None
    except ValueError:  # blocked: sys.modules["mpi4py"] is None
        return False


def launcher_world_size() -> tuple[int, str] | None:
    """The world size a launcher announced in this process's environment, if any."""
    for variable, name in _LAUNCHER_SIZE_VARIABLES:
        value = os.environ.get(variable)
        if value and value.isdigit():
            return int(value), name
    return None


def check_launcher(mpi_size: int) -> None:
    """Refuse to run as a silent world of one under a launcher of a different MPI.

    When ``mpiexec`` comes from one MPI and mpi4py loads another, every
    process starts as its own world of one and trains alone without error;
    this catches that mix-up from the launcher's environment variables.
    """
    announced = launcher_world_size()
    if announced is None or announced[0] == mpi_size:
        return
    size, name = announced
    raise DistributedError(
        f"this process was started by {name}'s mpiexec for a world of {size}, but MPI "
        f"reports a world of {mpi_size}: mpiexec and mpi4py use different MPI libraries. "
        "Launch with the mpiexec of the MPI mpi4py loads (python -m ember.distributed.launch "
        "finds it), e.g. the one the mpich wheel puts beside python")
