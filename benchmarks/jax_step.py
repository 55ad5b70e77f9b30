"""``jax.jit`` of an MLP training step, for ``bench_graph.py --jax PYTHON`` (run by JAX's own Python).

    python benchmarks/jax_step.py '{"sizes": [10, 10, 1], "batch": 256, "optimizer": "sgd", ...}'

Prints ``{"min": seconds, "median": seconds}`` per step as its last line.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy  # noqa: E402


def init(sizes, key):
    params = []
    for width_in, width_out in zip(sizes, sizes[1:]):
        key, sub = jax.random.split(key)
        bound = 1 / width_in ** 0.5
        params.append((jax.random.uniform(sub, (width_out, width_in), jnp.float32, -bound, bound),
                       jnp.zeros((width_out,), jnp.float32)))
    return params


def forward(params, x):
    for index, (w, b) in enumerate(params):
        x = x @ w.T + b
        if index < len(params) - 1:
            x = jax.nn.relu(x)
    return x


def loss_fn(params, x, y, classes):
    out = forward(params, x)
    if classes:
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(out), y[:, None], 1))
    return jnp.mean((out - y) ** 2)


def make_step(optimizer, classes):
    def sgd(params, state, x, y):
        grads = jax.grad(loss_fn)(params, x, y, classes)
        state = jax.tree_util.tree_map(lambda m, g: 0.9 * m + g, state, grads)
        return jax.tree_util.tree_map(lambda p, m: p - 0.01 * m, params, state), state

    def adam(params, state, x, y):
        grads = jax.grad(loss_fn)(params, x, y, classes)
        step, m, v = state
        step = step + 1
        m = jax.tree_util.tree_map(lambda m, g: 0.9 * m + 0.1 * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: 0.999 * v + 0.001 * g * g, v, grads)
        scale = 1e-3 * jnp.sqrt(1 - 0.999 ** step) / (1 - 0.9 ** step)
        params = jax.tree_util.tree_map(lambda p, m, v: p - scale * m / (jnp.sqrt(v) + 1e-8), params, m, v)
        return params, (step, m, v)
    return jax.jit(sgd if optimizer == "sgd" else adam, donate_argnums=(0, 1))


def main() -> None:
    spec = json.loads(sys.argv[1])
    sizes, batch = spec["sizes"], spec["batch"]
    rng = numpy.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((batch, sizes[0])).astype(numpy.float32))
    classes = sizes[-1] != 1
    y = jnp.asarray(rng.integers(0, 10, batch)) if classes else \
        jnp.asarray(rng.standard_normal((batch, 1)).astype(numpy.float32))
    params = init(sizes, jax.random.PRNGKey(0))
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    state = zeros if spec["optimizer"] == "sgd" else (jnp.zeros(()), zeros, jax.tree_util.tree_map(jnp.zeros_like, params))
    step = make_step(spec["optimizer"], classes)
    params, state = step(params, state, x, y)
    jax.block_until_ready(params)
    samples = []
    for _ in range(spec["rounds"]):
        start = time.perf_counter()
        for _ in range(spec["number"]):
            params, state = step(params, state, x, y)
        jax.block_until_ready(params)
        samples.append((time.perf_counter() - start) / spec["number"])
    print(json.dumps({"min": min(samples), "median": statistics.median(samples)}))


if __name__ == "__main__":
    main()
