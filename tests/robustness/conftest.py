"""The ``mpi`` fixture of tests/distributed, for the distributed rows of the probe tables."""
import importlib.util
import os
import sys

_path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "distributed", "conftest.py")
_spec = importlib.util.spec_from_file_location("_distributed_conftest", _path)
_distributed = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _distributed  # its dataclass looks the module up there
_spec.loader.exec_module(_distributed)

mpi = _distributed.mpi
