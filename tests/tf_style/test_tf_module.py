"""tf.Module (ember.Module): names, and variables found through attributes as TensorFlow finds them."""
import numpy as np
import pytest

import ember as tf


class Dense(tf.Module):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(np.ones((in_features, out_features), dtype="float32"), name="w")
        self.b = tf.Variable(np.zeros(out_features, dtype="float32"), name="b")

    def __call__(self, x):
        return tf.nn.relu(x @ self.w + self.b)


class SequentialModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(3, 3)
        self.dense_2 = Dense(3, 2)
        self.extra = [tf.Variable(1.0, name="frozen", trainable=False), self.dense_1]  # dense_1 again

    def __call__(self, x):
        return self.dense_2(self.dense_1(x))


def test_default_name_is_the_class_name_in_snake_case():
    assert SequentialModule().name == "sequential_module"
    assert Dense(1, 1, name="first").name == "first"
    with pytest.raises(ValueError, match="valid module name"):
        Dense(1, 1, name="not valid")


def test_variables_in_attribute_order_each_once():
    model = SequentialModule()
    names = [v.name for v in model.variables]
    # attributes sorted: dense_1 (b, w), dense_2 (b, w), extra (frozen; dense_1 already seen)
    assert names == ["b:0", "w:0", "b:0", "w:0", "frozen:0"]
    assert [v.name for v in model.trainable_variables] == names[:4]
    assert [v.name for v in model.non_trainable_variables] == ["frozen:0"]
    assert model.submodules == (model.dense_1, model.dense_2)


def test_gradient_tape_over_trainable_variables():
    model = SequentialModule()
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(tf.constant([[1.0, 2.0, 3.0]])))
    grads = tape.gradient(loss, model.trainable_variables)
    # d/db2 of sum(relu(h @ w2 + b2)) is 1 per output; d/dw2 is h = 6 in each entry
    np.testing.assert_allclose(grads[2].numpy(), [1.0, 1.0])
    np.testing.assert_allclose(grads[3].numpy(), np.full((3, 2), 6.0))


def test_keras_layer_attributes_contribute_their_weights():
    class Wrapper(tf.Module):
        def __init__(self):
            super().__init__()
            self.layer = tf.keras.layers.Dense(2)
            self.layer.build((None, 3))

    wrapper = Wrapper()
    assert [tuple(v.shape) for v in wrapper.variables] == [(3, 2), (2,)]


def test_with_name_scope_wraps_a_method():
    class Scoped(tf.Module):
        @tf.Module.with_name_scope
        def __call__(self, x):
            return x * 2

    assert float(Scoped(name="scoped")(tf.constant(2.0))) == 4.0
