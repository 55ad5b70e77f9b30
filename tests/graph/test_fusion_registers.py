"""Fused elementwise groups: a step that reads one earlier step twice frees its temporary once.

Found through a Keras activity loss (``mean(square(h))`` beside ``relu(h)``): the fused
gradient ``2 * c * h + where(h > 0, g, 0)`` computed ``c * h`` into a temporary, doubled it
with ``add(t, t)``, released the temporary twice, and the ``where`` step was then given the
same temporary while the doubled value still lived there.
"""
import numpy as np

import ember


def _gradients(step, *args):
    eager = step(*args)
    compiled = ember.function(step)(*args)
    return eager, compiled


def test_step_reading_one_temporary_twice_keeps_later_values():
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.normal(size=(2, 3)).astype("float32"))
    first = ember.nn.Parameter(ember.tensor(rng.normal(size=(3, 4)).astype("float32")))
    second = ember.nn.Parameter(ember.tensor(rng.normal(size=(4, 2)).astype("float32")))

    def step(first, second, x):
        first.grad = second.grad = None
        hidden = x @ first
        loss = ember.sum(ember.relu(hidden) @ second) + ember.mean(ember.square(hidden))
        loss.backward()
        return loss, first.grad.clone()

    (eager_loss, eager_grad), (loss, grad) = _gradients(step, first, second, x)
    np.testing.assert_allclose(np.asarray(loss), np.asarray(eager_loss), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(grad), np.asarray(eager_grad), rtol=1e-5, atol=1e-6)
