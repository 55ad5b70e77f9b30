"""Starting an MPI job: ``python -m ember.distributed.launch -n 2 train.py [args]``.

Plain ``mpiexec -n 2 python train.py`` works too; this launcher adds what a
user would otherwise have to know:

* it uses the ``mpiexec`` beside the running Python first (the one the
  ``mpich`` wheel installs into the environment, so it matches the MPI that
  mpi4py loads), then the one on ``PATH``;
* Open MPI refuses to start as root without ``--allow-run-as-root``; the
  launcher sets Open MPI's documented pair of environment variables for that
  when it runs as root (MPICH needs nothing);
* on one machine, it gives each rank an equal share of the cores for NumPy's
  BLAS threads (``OMP_NUM_THREADS`` and friends), unless they are already
  set, so the ranks don't oversubscribe it; and lets Open MPI start more
  ranks than cores, which it otherwise refuses;
* ``--hostfile FILE`` is passed in the flag spelling of the MPI in use.

Example:
    >>> cmd, env = command(2, ["train.py", "--epochs", "1"], mpiexec="mpiexec", flavor="mpich",
    ...                    hostfile="hosts.txt", cores=4)
    >>> cmd[:5], cmd[6:]
    (['mpiexec', '-n', '2', '-f', 'hosts.txt'], ['train.py', '--epochs', '1'])
    >>> environment(4, "openmpi", cores=2)["PRTE_MCA_rmaps_default_mapping_policy"]
    ':oversubscribe'
"""
from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys

from .errors import DistributedError

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_OPEN_MPI_AS_ROOT = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
# Open MPI refuses more ranks than cores unless told (v5 reads the first variable, v4 the second).
_OPEN_MPI_OVERSUBSCRIBE = {"PRTE_MCA_rmaps_default_mapping_policy": ":oversubscribe",
                           "OMPI_MCA_rmaps_base_oversubscribe": "1"}
_HOSTFILE_FLAG = {"mpich": "-f", "openmpi": "--hostfile", "unknown": "--hostfile"}


def find_mpiexec() -> str:
    """The ``mpiexec`` to use: beside this Python first, then on ``PATH``."""
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("mpiexec")
    if found is None:
        raise DistributedError("no mpiexec found beside this Python or on PATH: "
                               "pip install 'ember[distributed]' installs MPICH's")
    return found


@functools.lru_cache(maxsize=None)
def flavor_of(mpiexec: str) -> str:
    """``"mpich"``, ``"openmpi"`` or ``"unknown"``, from ``mpiexec --version``."""
    try:
        text = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                              timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if "HYDRA" in text or "MPICH" in text:
        return "mpich"
    if "Open MPI" in text or "OpenRTE" in text or "PRRTE" in text:
        return "openmpi"
    return "unknown"


def command(nprocs: int, program: list[str], *, hostfile: str | None = None,
            mpiexec: str | None = None, flavor: str | None = None,
            cores: int | None = None) -> tuple[list[str], dict]:
    """The ``mpiexec`` command line and environment that run ``python program...`` on ``nprocs`` ranks.

    ``program`` is a script and its arguments (or ``["-m", "module", ...]``).
    """
    mpiexec = mpiexec or find_mpiexec()
    flavor = flavor or flavor_of(mpiexec)
    cmd = [mpiexec, "-n", str(nprocs)]
    if hostfile is not None:
        cmd += [_HOSTFILE_FLAG[flavor], hostfile]
    env = environment(nprocs, flavor, cores, one_machine=hostfile is None)
    return cmd + [sys.executable] + list(program), env


def environment(nprocs: int, flavor: str, cores: int | None = None,
                one_machine: bool = True) -> dict:
    """This process's environment plus what the ranks need (see the module docstring)."""
    env = dict(os.environ)
    cores = cores or os.cpu_count() or 1
    if one_machine:
        for variable in _THREAD_VARIABLES:
            env.setdefault(variable, str(max(1, cores // nprocs)))
    if flavor == "openmpi":
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            env.update(_OPEN_MPI_AS_ROOT)
        if one_machine and nprocs > cores:
            for variable, value in _OPEN_MPI_OVERSUBSCRIBE.items():
                env.setdefault(variable, value)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ember.distributed.launch",
        description="Run a Python training script on N MPI ranks.")
    parser.add_argument("-n", "--nprocs", type=int, required=True, help="number of ranks")
    parser.add_argument("--hostfile", help="MPI hostfile listing the machines (multi-machine runs)")
    parser.add_argument("program", nargs=argparse.REMAINDER,
                        help="the script and its arguments (or -m module ...)")
    args = parser.parse_args(argv)
    if not args.program:
        parser.error("give the script to run")
    cmd, env = command(args.nprocs, args.program, hostfile=args.hostfile)
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
