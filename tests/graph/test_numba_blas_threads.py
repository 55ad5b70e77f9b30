"""numba's matmuls run on SciPy's own OpenBLAS; Ember's BLAS thread policy covers it too.

Left at its default (one thread per core), that library made the W2 step under
``ember.function(numba=True)`` 7x slower than the NumPy path on a loaded 2-core machine,
while NumPy's BLAS ran at the policy's one thread.
"""
import importlib.util

import pytest

import ember
from ember.backend import threads
from ember.graph import kernels

pytestmark = pytest.mark.skipif(importlib.util.find_spec("scipy") is None
                                or importlib.util.find_spec("threadpoolctl") is None,
                                reason="needs scipy and threadpoolctl")


def test_scipy_blas_joins_the_thread_policy():
    from threadpoolctl import threadpool_info
    ember.ones(4, 4) @ ember.ones(4, 4)  # the policy applies on the first product
    if not threads._policy.managed:
        pytest.skip("a BLAS thread variable is set: the user's count is kept")
    kernels._blas_under_policy()
    scipy_blas = [info for info in threadpool_info()
                  if info["user_api"] == "blas" and "scipy.libs" in info["filepath"]]
    assert scipy_blas, "scipy.linalg.cython_blas should have loaded SciPy's BLAS"
    managed = {library.filepath for library in threads._policy.libraries}
    for info in scipy_blas:
        assert info["filepath"] in managed and info["num_threads"] == 1


def test_large_products_still_get_the_thread_count():
    from threadpoolctl import threadpool_info
    ember.ones(4, 4) @ ember.ones(4, 4)
    if not threads._policy.managed:
        pytest.skip("a BLAS thread variable is set: the user's count is kept")
    kernels._blas_under_policy()
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(2)
        with threads.large_product:
            counts = {info["filepath"]: info["num_threads"] for info in threadpool_info()
                      if info["user_api"] == "blas"}
        assert all(counts[library.filepath] == 2 for library in threads._policy.libraries)
    finally:
        ember.set_num_threads(before)
