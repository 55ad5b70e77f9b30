"""tf.GradientTape records only what runs while it is active (TensorFlow's rule), on Ember's one autograd."""
import numpy as np

import ember as tf


def test_a_result_computed_before_the_tape_is_a_constant():
    v = tf.Variable(2.0)
    x2 = v + 1  # before the tape: TensorFlow's tape never sees this op
    with tf.GradientTape(persistent=True) as tape:
        y = x2 * 3
    assert tape.gradient(y, v) is None
    assert tape.gradient(y, x2) is None  # x2 was not watched
    assert float(tape.gradient(y, v, unconnected_gradients="zero")) == 0.0


def test_watching_a_result_computed_before_the_tape():
    v = tf.Variable(2.0)
    x2 = v + 1
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x2)
        y = x2 * x2 + v
    assert float(tape.gradient(y, x2)) == 6.0
    assert float(tape.gradient(y, v)) == 1.0  # only the read of v inside the tape


def test_results_inside_the_tape_are_differentiable_and_the_torch_graph_is_untouched():
    v = tf.Variable(3.0)
    early = v * v
    with tf.GradientTape(persistent=True) as tape:
        h = v * 2
        y = h * h + early
    assert float(tape.gradient(y, h)) == 12.0
    assert float(tape.gradient(y, v)) == 24.0
    (full,) = tf.autograd.grad(y, v)  # Ember's own autograd still sees the whole graph
    assert float(full) == 30.0


def test_operations_after_the_block_are_not_recorded():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
    z = y * 10
    assert tape.gradient(z, v) is None


def test_reset_forgets_what_was_recorded_before_it():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        early = v * v
        tape.reset()
        y = early * 3 + v
    assert float(tape.gradient(y, v)) == 1.0
    with tf.GradientTape() as tape:
        loss = v * v
        tape.reset()
        loss = v * 5
    assert float(tape.gradient(loss, v)) == 5.0


def test_reset_lets_a_non_persistent_tape_be_used_again():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y = v * v
        assert float(tape.gradient(y, v)) == 4.0
        tape.reset()
        y = v * v * v
    assert float(tape.gradient(y, v)) == 12.0


def test_nested_tapes_see_only_their_own_spans():
    x = tf.Variable(3.0)
    with tf.GradientTape() as outer:
        a = x * x  # outer records this; inner does not
        with tf.GradientTape() as inner:
            y = a * x
        dy = inner.gradient(y, x)  # only the direct use of x: a counts as a constant for inner
        assert float(dy) == 9.0
    assert float(outer.gradient(dy, x)) == 6.0  # d(a)/dx = 2x through the recorded a


def test_nested_tapes_second_derivative_still_work():
    x = tf.constant(3.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x ** 3
        dy = inner.gradient(y, x)
    assert float(dy) == 27.0 and float(outer.gradient(dy, x)) == 18.0


def test_persistent_tape_and_a_later_block():
    v = tf.Variable(1.5)
    tape = tf.GradientTape(persistent=True)
    with tape:
        y = v * v
    between = v * 4  # outside any block
    with tape:
        z = y * 2 + between
    assert float(tape.gradient(y, v)) == 3.0
    assert float(tape.gradient(z, v)) == 6.0  # between is a constant; y's ops were recorded
    del tape


def test_watch_accessed_variables_false():
    v, w = tf.Variable(2.0), tf.Variable(5.0)
    before = w * 2
    with tf.GradientTape(watch_accessed_variables=False, persistent=True) as tape:
        tape.watch(v)
        y = v * w + before
    assert float(tape.gradient(y, v)) == 5.0
    assert tape.gradient(y, w) is None
    assert tape.watched_variables() == (v,)


def test_watched_variables_lists_the_variables_read():
    v, w, unused = tf.Variable(2.0), tf.Variable([1.0, 2.0]), tf.Variable(0.0)
    c = tf.constant(1.0)
    read_before = unused * 2
    with tf.GradientTape() as tape:
        tape.watch(c)
        y = tf.reduce_sum(v * w) + c
    watched = tape.watched_variables()
    assert len(watched) == 2 and watched[0] is v and watched[1] is w
    grads = tape.gradient(y, watched)
    assert float(grads[0]) == 3.0 and grads[1].numpy().tolist() == [2.0, 2.0]
    assert read_before is not None


def test_watched_variables_of_a_model_training_step():
    layer = tf.keras.layers.Dense(2)
    x = np.ones((3, 4), dtype="float32")
    layer(x)  # built before the tape
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    variables = tape.watched_variables()
    assert {id(v) for v in variables} == {id(v) for v in layer.trainable_variables}
    assert all(g is not None for g in tape.gradient(loss, layer.trainable_variables))


def test_jacobian_of_a_target_made_in_the_block():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = x * x * x
    np.testing.assert_allclose(tape.jacobian(y, x).numpy(), np.diag([3.0, 12.0]))


def test_stop_recording_is_a_constant():
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        with tape.stop_recording():
            c = v * v
        y = c * v
    assert float(tape.gradient(y, v)) == 4.0
