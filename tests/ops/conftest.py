"""Make the reference harness and tables importable by the test modules beside them."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
