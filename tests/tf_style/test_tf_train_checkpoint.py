"""tf.train.Checkpoint, CheckpointManager and their helpers: what TensorFlow's checkpoint guide does."""
import os

import numpy as np
import pytest

import ember as tf
from ember import keras


class Flexible(tf.Module):
    """Creates its variables on the first call (the modules guide's FlexibleDenseModule)."""

    def __init__(self, out_features, name=None):
        super().__init__(name=name)
        self.is_built, self.out_features = False, out_features

    def __call__(self, x):
        if not self.is_built:
            self.w = tf.Variable(tf.random.normal([x.shape[-1], self.out_features]), name="w")
            self.b = tf.Variable(tf.zeros([self.out_features]), name="b")
            self.is_built = True
        return tf.nn.relu(tf.matmul(x, self.w) + self.b)


class Stack(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1, self.dense_2 = Flexible(3), Flexible(2)

    def __call__(self, x):
        return self.dense_2(self.dense_1(x))


def test_write_lists_keys_and_a_new_module_restores_on_creation(tmp_path):
    model = Stack()
    x = tf.constant([[2.0, 2.0, 2.0]])
    expected = np.asarray(model(x))
    path = tf.train.Checkpoint(model=model).write(str(tmp_path / "my_checkpoint"))
    assert path == str(tmp_path / "my_checkpoint") and os.path.exists(path + ".index")
    assert tf.train.list_variables(path) == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []),
        ("model/dense_1/b/.ATTRIBUTES/VARIABLE_VALUE", [3]), ("model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 3]),
        ("model/dense_2/b/.ATTRIBUTES/VARIABLE_VALUE", [2]), ("model/dense_2/w/.ATTRIBUTES/VARIABLE_VALUE", [3, 2])]
    np.testing.assert_array_equal(tf.train.load_variable(path, "model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE"),
                                  model.dense_1.w.numpy())
    fresh = Stack()
    status = tf.train.Checkpoint(model=fresh).restore(path)
    with pytest.raises(AssertionError):  # the variables do not exist yet
        status.assert_consumed()
    np.testing.assert_array_equal(np.asarray(fresh(x)), expected)  # deferred restoration on creation
    status.assert_consumed()


def test_save_numbers_and_manager_keeps_the_newest(tmp_path):
    step = tf.Variable(1)
    checkpoint = tf.train.Checkpoint(step=step, v=tf.Variable([1.0, 2.0]))
    first = checkpoint.save(str(tmp_path / "ckpt"))
    assert first.endswith("ckpt-1") and tf.train.latest_checkpoint(str(tmp_path)) == first
    manager = tf.train.CheckpointManager(checkpoint, str(tmp_path / "managed"), max_to_keep=2)
    assert manager.latest_checkpoint is None and manager.restore_or_initialize() is None
    for _ in range(3):
        step.assign_add(1)
        manager.save()
    assert [os.path.basename(p) for p in manager.checkpoints] == ["ckpt-3", "ckpt-4"]  # save_counter numbers
    assert not os.path.exists(str(tmp_path / "managed" / "ckpt-2.index"))
    assert tf.train.latest_checkpoint(str(tmp_path / "managed")) == manager.latest_checkpoint
    step.assign(100)
    checkpoint.restore(manager.checkpoints[0]).assert_consumed()
    assert int(step.numpy()) == 3 and int(checkpoint.save_counter.numpy()) == 3
    # a manager made later in the same directory finds the kept checkpoints
    again = tf.train.CheckpointManager(tf.train.Checkpoint(step=step, v=tf.Variable([0.0, 0.0])),
                                       str(tmp_path / "managed"), max_to_keep=2)
    assert again.checkpoints == manager.checkpoints
    assert tf.train.Checkpoint().restore(None).expect_partial() is not None  # nothing to restore


def test_keras_model_and_optimizer_state_restore(tmp_path):
    def make():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        return model, keras.optimizers.Adam(0.1)

    def step(model, optimizer, x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return float(loss)

    x = tf.constant(np.arange(6, dtype="float32").reshape(2, 3))
    model, optimizer = make()
    step(model, optimizer, x)
    path = tf.train.Checkpoint(net=model, optimizer=optimizer).save(str(tmp_path / "ckpt"))
    expected = [step(model, optimizer, x) for _ in range(2)]
    other, other_optimizer = make()
    other.set_weights([w * 0 for w in other.get_weights()])
    tf.train.Checkpoint(net=other, optimizer=other_optimizer).restore(path)
    # the optimizer is restored when it builds (its first apply): Adam's moments and step count
    assert [step(other, other_optimizer, x) for _ in range(2)] == pytest.approx(expected, rel=1e-6)
    assert other_optimizer.iterations == optimizer.iterations == 3
