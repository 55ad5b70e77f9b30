"""TensorFlow 2 guide "Introduction to gradients and automatic differentiation" (and the
custom-gradient part of "Advanced automatic differentiation"): tf.GradientTape over
Variables and watched constants, persistent tapes, gradients of lists and dicts, what the tape
does not see (non-trainable Variables, unconnected and integer sources), stop_recording,
stop_gradient, nested tapes, jacobian, and tf.custom_gradient.

Only the import differs from the guide (``import ember as tf``): TensorFlow code has no
Keras-on-torch twin, so the test checks these numbers against the same computations in PyTorch
from the same weights.
"""
import numpy as np

import ember as tf


def make_data(rng):
    return {"w": rng.normal(size=(3, 2)).astype("float32"), "x": [[1.0, 2.0, 3.0]],
            "sigmoid_x": np.linspace(-10.0, 10.0, 201).astype("float32")}


def build_model():
    return tf.keras.layers.Dense(2, activation="relu")


def train(layer, data):
    results = {}
    # Computing gradients
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    dy_dx = tape.gradient(y, x)
    results["dy_dx"] = dy_dx.numpy()

    w = tf.Variable(data["w"], name="w")
    b = tf.Variable(tf.zeros(2, dtype=tf.float32), name="b")
    x = data["x"]
    with tf.GradientTape(persistent=True) as tape:
        y = x @ w + b
        loss = tf.reduce_mean(y**2)
    [dl_dw, dl_db] = tape.gradient(loss, [w, b])
    my_vars = {"w": w, "b": b}
    grad = tape.gradient(loss, my_vars)  # a dict of sources: a dict of gradients
    results["dl_dw"], results["dl_db"], results["dict_b"] = dl_dw, dl_db, grad["b"]

    # Gradients with respect to a model
    x = tf.constant([[1.0, 2.0, 3.0]])
    with tf.GradientTape() as tape:
        # Forward pass
        y = layer(x)
        loss = tf.reduce_mean(y**2)
    # Calculate gradients with respect to every trainable variable
    grad = tape.gradient(loss, layer.trainable_variables)
    results["layer_grads"] = list(grad)
    results["layer_names"] = [var.name for var in layer.trainable_variables]

    # Controlling what the tape watches
    x0 = tf.Variable(3.0, name="x0")  # A trainable variable
    x1 = tf.Variable(3.0, name="x1", trainable=False)  # Not trainable
    x3 = tf.constant(3.0, name="x3")  # Not a Variable
    with tf.GradientTape() as tape:
        y = (x0**2) + (x1**2) + (x3**2)
    grad = tape.gradient(y, [x0, x1, x3])
    results["watched"] = [None if g is None else float(g) for g in grad]

    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**2
    results["watched_constant"] = tape.gradient(y, x).numpy()

    x0 = tf.Variable(0.0)
    x1 = tf.Variable(10.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x1)
        y0 = tf.math.sin(x0)
        y1 = tf.nn.softplus(x1)
        y = y0 + y1
        ys = tf.reduce_sum(y)
    grad = tape.gradient(ys, {"x0": x0, "x1": x1})
    results["only_x1"] = [grad["x0"] is None, grad["x1"].numpy()]

    # Intermediate results; persistent tapes
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    results["dz_dy"] = tape.gradient(z, y).numpy()
    x = tf.constant([1, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    results["persistent"] = [tape.gradient(z, x).numpy(), tape.gradient(y, x).numpy()]
    del tape  # Drop the reference to the tape

    # Gradients of non-scalar targets: the sum; and an elementwise derivative
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y0 = x**2
        y1 = 1 / x
    results["list_target"] = tape.gradient({"y0": y0, "y1": y1}, x).numpy()
    x = tf.constant(data["sigmoid_x"])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.sigmoid(x)
    results["sigmoid_grad"] = tape.gradient(y, x)

    # Control flow: only the branch taken is recorded
    x = tf.constant(1.0)
    v0 = tf.Variable(2.0)
    v1 = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        if x > 0.0:
            result = v0
        else:
            result = v1**2
    dv0, dv1 = tape.gradient(result, [v0, v1])
    results["control_flow"] = [float(dv0), dv1 is None, tape.gradient(result, x) is None]

    # Cases where gradient returns None; zeros instead of None
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        z = y * y
    results["unconnected"] = tape.gradient(z, x) is None
    x = tf.constant(10)
    with tf.GradientTape() as g:
        g.watch(x)  # an integer: not differentiable
        y = x * x
    results["integer"] = g.gradient(y, x) is None
    x0 = tf.Variable(3.0)
    x1 = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        # Update x1 = x1 + x0.
        x1.assign_add(x0)
        # The tape starts recording from x1.
        y = x1**2  # y = (x1 + x0)**2
    results["stateful"] = tape.gradient(y, x0) is None
    x = tf.Variable([2.0, 2.0])
    y = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        z = y**2
    results["zero"] = tape.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    # Advanced autodiff: stop_recording, stop_gradient, nested tapes, jacobian, custom_gradient
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    with tf.GradientTape() as t:
        x_sq = x * x
        with t.stop_recording():
            y_sq = y * y
        z = x_sq + y_sq
    grad = t.gradient(z, {"x": x, "y": y})
    results["stop_recording"] = [float(grad["x"]), grad["y"] is None]
    with tf.GradientTape() as t:
        y_sq = y * y
        z = x * x + tf.stop_gradient(y_sq)
    grad = t.gradient(z, {"x": x, "y": y})
    results["stop_gradient"] = [float(grad["x"]), grad["y"] is None]

    x = tf.Variable(1.0)  # Create a Tensorflow variable initialized to 1.0
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x * x * x
        # Compute the gradient inside the outer `t2` context manager
        # which means the gradient computation is differentiable as well.
        dy_dx = t1.gradient(y, x)
    d2y_dx2 = t2.gradient(dy_dx, x)
    # The guide prints dy_dx.numpy(): Ember's tensors refuse numpy() while they require grad
    # (PyTorch's rule), and dy_dx does here, as it is differentiable for t2
    results["second_order"] = [float(dy_dx), float(d2y_dx2)]

    x = tf.random.normal([7, 5])
    layer = tf.keras.layers.Dense(10, activation=tf.nn.relu)
    with tf.GradientTape(persistent=True) as tape:
        y = layer(x)
    j = tape.jacobian(y, layer.kernel)
    results["jacobian_shape"] = list(j.shape)
    results["jacobian_sum"] = tf.reduce_sum(j, axis=[2, 3])  # each d(y_ij)/d(kernel), summed
    results["jacobian_inputs"] = [x, layer.kernel, layer.bias]

    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_norm(dy, 0.5)
        return y, backward

    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        output = clip_gradients(v * v)
    results["custom_gradient"] = t.gradient(output, v).numpy()
    return results


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0))))
