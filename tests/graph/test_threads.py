"""Tracing is per thread: a trace in one thread leaves eager code in other threads alone.

The tracer is found through a context variable, not a process-wide global, and the arrays
a trace swaps for symbolic cells (parameters, buffers, optimizer state) read as their real
values from other threads. Events pin the interleaving: the eager threads run exactly while
the trace is in progress.
"""
from __future__ import annotations

import threading

import numpy
import pytest

import ember
import ember.nn.functional as F


def _setup():
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.BatchNorm1d(8),
                                ember.nn.Linear(8, 2))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, target = ember.randn(16, 4), ember.randn(16, 2)
    return model, optimizer, x, target


def _step_function(model, optimizer, during_trace=lambda: None):
    def step(x, target):
        during_trace()  # runs while the Python function is traced (the first call only)
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), target)
        loss.backward()
        optimizer.step()
        return loss
    return ember.function(step)


def _eager_work(model, x):
    """Eager ops on the model's layers: an inference pass and a loss with a graph (no writes:
    BatchNorm, which updates its statistics in training mode, is left out)."""
    with ember.no_grad():
        inference = model[3](model[1](model[0](x))).numpy().copy()
    loss = (model[0](x).tanh() * model[0].weight.sum()).mean()
    return inference, loss.item(), model[3].weight.detach().numpy().copy()


def test_one_thread_traces_while_two_others_run_eager_ops_on_the_same_model():
    # alone: the compiled step on one copy, the eager work on another (same seed, same weights)
    model, optimizer, x, target = _setup()
    expected_loss = _step_function(model, optimizer)(x, target).item()
    expected_weights = [p.detach().numpy().copy() for p in model.parameters()]
    model, optimizer, x, target = _setup()
    eager_input = ember.randn(5, 4)
    expected_eager = _eager_work(model, eager_input)

    # together: the eager threads start once the trace is under way; the trace waits for them
    tracing, eager_done = threading.Event(), [threading.Event(), threading.Event()]
    results, errors = {}, []

    def during_trace():
        assert ember.graph.tracer.is_tracing()
        tracing.set()
        for done in eager_done:
            assert done.wait(timeout=60), "the eager threads did not finish"

    def eager(index):
        try:
            assert tracing.wait(timeout=60)
            assert not ember.graph.tracer.is_tracing()  # this thread is eager while the other traces
            results[index] = _eager_work(model, eager_input)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            eager_done[index].set()

    def trace():
        try:
            results["loss"] = _step_function(model, optimizer, during_trace)(x, target).item()
        except BaseException as error:
            errors.append(error)
            tracing.set()

    threads = [threading.Thread(target=eager, args=(i,)) for i in range(2)] + [threading.Thread(target=trace)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    assert results["loss"] == pytest.approx(expected_loss, rel=1e-6)
    for weight, expected in zip(model.parameters(), expected_weights):
        numpy.testing.assert_allclose(weight.detach().numpy(), expected, rtol=1e-6, atol=1e-7)
    for index in range(2):
        inference, loss, weight = results[index]
        numpy.testing.assert_array_equal(inference, expected_eager[0])
        assert loss == expected_eager[1]
        numpy.testing.assert_array_equal(weight, expected_eager[2])


def test_a_value_made_inside_a_trace_is_refused_in_another_thread():
    leaked, done = [], threading.Event()

    def leak(x):
        leaked.append(x * 2)
        worker = threading.Thread(target=lambda: _use(leaked[0]))
        worker.start()
        worker.join(timeout=60)
        return x

    errors = []

    def _use(tensor):
        try:
            tensor + 1
        except ember.EmberError as error:
            errors.append(error)
    ember.function(leak)(ember.ones(2))
    assert errors and "another thread" in str(errors[0])


def test_two_threads_trace_at_the_same_time():
    both_tracing = threading.Barrier(2, timeout=60)
    results, errors = {}, []

    def make(scale):
        def f(x):
            both_tracing.wait()  # both traces are active here at once
            return (x * scale).tanh().sum(1)
        return ember.function(f, input_signature=[ember.TensorSpec((None, 3))])

    def run(scale):
        try:
            compiled = make(scale)
            results[scale] = [compiled(ember.ones(n, 3)).tolist() for n in (2, 5)]
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(scale,)) for scale in (0.5, 2.0)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    for scale in (0.5, 2.0):
        expected = float(numpy.tanh(scale) * 3)
        assert results[scale] == [pytest.approx([expected] * n, rel=1e-6) for n in (2, 5)]
