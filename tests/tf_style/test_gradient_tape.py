"""ember.GradientTape and ember.Variable, checked against PyTorch's autograd and closed forms."""
import numpy as np
import pytest
import torch

import ember as tf


def test_gradient_of_a_variable_matches_torch():
    w_np = np.array([[0.5, -1.0], [2.0, 0.25]], dtype="float32")
    x_np = np.array([[1.0, 2.0]], dtype="float32")
    w = tf.Variable(w_np)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.softmax(tf.matmul(tf.constant(x_np), w)) ** 2)
    grad = tape.gradient(loss, w)
    wt = torch.tensor(w_np, requires_grad=True)
    (torch.softmax(torch.tensor(x_np) @ wt, -1) ** 2).sum().backward()
    np.testing.assert_allclose(grad.numpy(), wt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_watch_a_constant_and_unwatch_after_gradient():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x * x)
    assert tape.gradient(y, x).tolist() == [2.0, 4.0, 6.0]
    assert not x.requires_grad  # watch() leaves the constant as it found it
    x.numpy()


def test_unwatched_constant_gets_none():
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_sources_as_nested_structure_and_unconnected():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(5.0)
    with tf.GradientTape() as tape:
        y = a * b
    grads = tape.gradient(y, {"first": [a, b], "other": c})
    assert float(grads["first"][0]) == 2.0 and float(grads["first"][1]) == 1.0
    assert grads["other"] is None
    with tf.GradientTape() as tape:
        y = a * 3.0
    zero = tape.gradient(y, [a, c], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert float(zero[0]) == 3.0 and float(zero[1]) == 0.0


def test_non_persistent_tape_refuses_a_second_gradient():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(y, x)


def test_persistent_tape_gives_several_gradients():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(z, x)) == 108.0  # 4 x^3
    assert float(tape.gradient(y, x)) == 6.0
    del tape


def test_nested_tapes_give_second_and_third_derivatives():
    x = tf.Variable(2.0)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = x ** 4
            dy = t1.gradient(y, x)
        d2y = t2.gradient(dy, x)
    d3y = t3.gradient(d2y, x)
    assert (float(dy), float(d2y), float(d3y)) == (32.0, 48.0, 48.0)


def test_stop_recording_and_watch_accessed_variables():
    x, y = tf.Variable(3.0), tf.Variable(4.0)
    with tf.GradientTape() as tape:
        with tape.stop_recording():
            frozen = x * x
        out = frozen * y
    assert tape.gradient(out, [x, y])[0] is None
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(y)
        out = x * y
    gx, gy = tape.gradient(out, [x, y])
    assert gx is None and float(gy) == 3.0


def test_non_scalar_target_is_summed_and_output_gradients():
    x = tf.Variable([1.0, 2.0])
    with tf.GradientTape(persistent=True) as tape:
        y = x * x
    assert tape.gradient(y, x).tolist() == [2.0, 4.0]
    assert tape.gradient(y, x, output_gradients=tf.constant([1.0, 0.5])).tolist() == [2.0, 2.0]


def test_jacobian():
    x = tf.Variable([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        y = x * x
    np.testing.assert_allclose(tape.jacobian(y, x).numpy(), np.diag([2.0, 4.0, 6.0]))


def test_variable_assign_and_arithmetic():
    v = tf.Variable([1.0, 2.0], name="weights")
    assert v.name == "weights:0" and v.dtype == tf.float32 and v.shape == (2,) and v.trainable
    v.assign([5.0, 6.0])
    v.assign_sub([1.0, 1.0])
    v.assign_add(tf.constant([0.5, 0.5]))
    assert v.numpy().tolist() == [4.5, 5.5]
    assert (v + 1).tolist() == [5.5, 6.5] and type(v + 1) is tf.Tensor
    with pytest.raises(tf.ShapeError, match="shape"):
        v.assign([1.0, 2.0, 3.0])
    frozen = tf.Variable(1.0, trainable=False)
    assert not frozen.requires_grad and not frozen.trainable


def test_variable_in_a_module_is_a_parameter():
    class Scale(tf.nn.Module):
        def __init__(self):
            super().__init__()
            self.factor = tf.Variable(2.0)
    assert [name for name, _ in Scale().named_parameters()] == ["factor"]


def test_optimizer_apply_gradients_and_minimize():
    from ember import keras
    w = tf.Variable(5.0)
    opt = keras.optimizers.SGD(learning_rate=0.1)
    with tf.GradientTape() as tape:
        loss = (w - 2.0) ** 2
    opt.apply_gradients(zip([tape.gradient(loss, w)], [w]))
    assert abs(float(w) - 4.4) < 1e-6
    for _ in range(100):
        opt.minimize(lambda: (w - 2.0) ** 2, [w])
    assert abs(float(w) - 2.0) < 1e-4


def test_custom_training_loop_eager_and_tf_function_agree():
    from ember import keras
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x.sum(1, keepdims=True)

    def run(compiled: bool) -> list:
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
        opt = keras.optimizers.Adam(0.01)
        loss_fn = keras.losses.MeanSquaredError()

        def step(xb, yb):
            with tf.GradientTape() as tape:
                loss = loss_fn(yb, model(xb, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss
        step = tf.function(step, jit_compile=False, reduce_retracing=True) if compiled else step
        return [float(step(tf.constant(x), tf.constant(y))) for _ in range(4)]
    eager, compiled = run(False), run(True)
    np.testing.assert_allclose(compiled, eager, rtol=1e-5)
    assert eager[-1] < eager[0]


def test_tf_function_with_input_signature_positional():
    @tf.function(input_signature=[tf.TensorSpec(shape=[None, 2], dtype=tf.float32)])
    def norm(x):
        return tf.sqrt(tf.reduce_sum(tf.square(x), axis=1))
    assert norm(tf.constant([[3.0, 4.0]])).tolist() == [5.0]
    assert norm(tf.ones(3, 2)).shape == (3,) and norm.trace_count == 1
    assert tf.function(lambda v: v * 2, [tf.TensorSpec([None])])(tf.constant([1.0])).tolist() == [2.0]


def test_augmented_assignment_rebinds_as_in_tensorflow():
    v = tf.Variable(1.0)
    original = v
    v += 2.0
    assert float(v) == 3.0 and float(original) == 1.0 and not isinstance(v, tf.Variable)


def test_custom_gradient_replaces_the_gradient():
    # TensorFlow's docs: log1pexp stays finite at x=100 with its own gradient; clip_gradients clips dy
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad

    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0

    @tf.custom_gradient
    def clip_gradients(y):
        return y, lambda dy: tf.clip_by_norm(dy, 0.5)

    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        output = clip_gradients(v * v)
    assert float(tape.gradient(output, v)) == pytest.approx(2.0)  # 0.5 * dv²/dv, not 4

    @tf.custom_gradient
    def scaled_product(a, b):  # two inputs: one gradient each
        return a * b, lambda dy: (dy * b, dy * a * 10)

    a, b = tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        z = scaled_product(a, b)
    assert [float(g) for g in tape.gradient(z, [a, b])] == [3.0, 20.0]


def test_tf_function_called_under_a_tape_is_differentiated():
    # A tf.function's compiled outputs have no history: under an open tape it runs as Python
    f = tf.function(lambda v: tf.exp(v) * 2)
    b = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        z = f(b)
    np.testing.assert_allclose(float(tape.gradient(z, b)), 2 * np.exp(3.0), rtol=1e-6)
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        z = f(x)
    np.testing.assert_allclose(tape.gradient(z, x).numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)
    np.testing.assert_allclose(f(x).numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)  # outside: compiled
