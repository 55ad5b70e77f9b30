"""TensorFlow 2 guides "Introduction to modules, layers, and models" and "Training checkpoints":
tf.Module subclasses holding tf.Variables and submodules, variables created on the first call,
a tf.function-decorated __call__, tf.train.Checkpoint write/restore (deferred restoration into a
model that has not created its variables yet) and CheckpointManager around a training loop.

Only the import differs from the guides (``import ember as tf``): TensorFlow code has no
Keras-on-torch twin, so the test checks the outputs and the training against NumPy and PyTorch
from the same weights.
"""
import os
import tempfile

import numpy as np

import ember as tf


class Dense(tf.Module):
    def __init__(self, in_features, out_features, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(tf.random.normal([in_features, out_features]), name="w")
        self.b = tf.Variable(tf.zeros([out_features]), name="b")

    def __call__(self, x):
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


class FlexibleDenseModule(tf.Module):
    # Note: No need for `in_features`
    def __init__(self, out_features, name=None):
        super().__init__(name=name)
        self.is_built = False
        self.out_features = out_features

    def __call__(self, x):
        # Create variables on first call.
        if not self.is_built:
            self.w = tf.Variable(tf.random.normal([x.shape[-1], self.out_features]), name="w")
            self.b = tf.Variable(tf.zeros([self.out_features]), name="b")
            self.is_built = True
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


class MySequentialModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = FlexibleDenseModule(out_features=3)
        self.dense_2 = FlexibleDenseModule(out_features=2)

    def __call__(self, x):
        x = self.dense_1(x)
        return self.dense_2(x)


class CompiledModule(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.dense_1 = Dense(in_features=3, out_features=3)
        self.dense_2 = Dense(in_features=3, out_features=2)

    @tf.function
    def __call__(self, x):
        x = self.dense_1(x)
        return self.dense_2(x)


class Net(tf.keras.Model):
    """A simple linear model (the checkpoint guide's)."""

    def __init__(self):
        super().__init__()
        self.l1 = tf.keras.layers.Dense(5)

    def call(self, x):
        return self.l1(x)


def make_data(rng):
    inputs = rng.normal(size=(10, 1)).astype("float32") + np.arange(10, dtype="float32")[:, None] / 10
    labels = (inputs * 5 + rng.normal(size=(10, 5)).astype("float32") / 10).astype("float32")
    return inputs, labels


def build_model():
    return MySequentialModule(name="the_model")


def train_step(net, example, optimizer):
    """Trains `net` on `example` using `optimizer`."""
    with tf.GradientTape() as tape:
        output = net(example["x"])
        loss = tf.reduce_mean(tf.abs(output - example["y"]))
    variables = net.trainable_variables
    gradients = tape.gradient(loss, variables)
    optimizer.apply_gradients(zip(gradients, variables))
    return loss


def train_and_checkpoint(net, manager, ckpt, iterator, steps=5):
    ckpt.restore(manager.latest_checkpoint)
    losses = []
    for _ in range(steps):
        example = next(iterator)
        loss = train_step(net, example, ckpt.optimizer)
        ckpt.step.assign_add(1)
        if int(ckpt.step) % 2 == 0:
            manager.save()
        losses.append(float(loss))
    return losses


def train(my_model, data, directory=None):
    directory = directory or tempfile.mkdtemp()
    x = tf.constant([[2.0, 2.0, 2.0]])
    results = {"output": my_model(x), "names": [v.name for v in my_model.variables],
               "submodules": [m.name for m in my_model.submodules],
               "weights": [np.asarray(v) for v in my_model.variables]}
    # Saving weights, and restoring them into a model that creates its variables later
    chkp_path = os.path.join(directory, "my_checkpoint")
    checkpoint = tf.train.Checkpoint(model=my_model)
    checkpoint.write(chkp_path)
    results["keys"] = [name for name, _ in tf.train.list_variables(chkp_path)]
    new_model = MySequentialModule()
    new_checkpoint = tf.train.Checkpoint(model=new_model)
    new_checkpoint.restore(chkp_path)
    results["restored_output"] = new_model(x)
    compiled = CompiledModule(name="the_model")
    results["compiled"] = [compiled(x), compiled(-x)]
    results["compiled_weights"] = [np.asarray(v) for v in compiled.variables]  # b, w of dense_1, dense_2

    # The checkpoint guide: train, save every other step, and pick up where it stopped
    inputs, labels = data
    net = Net()
    opt = tf.keras.optimizers.Adam(0.1)
    dataset = tf.data.Dataset.from_tensor_slices(dict(x=inputs, y=labels)).repeat().batch(2)
    iterator = iter(dataset)
    # The guide also checkpoints the dataset iterator; Ember's checkpoints hold variables only
    ckpt = tf.train.Checkpoint(step=tf.Variable(1), optimizer=opt, net=net)
    manager = tf.train.CheckpointManager(ckpt, os.path.join(directory, "tf_ckpts"), max_to_keep=3)
    net(tf.zeros([1, 1]))  # built before the first weights are read
    results["net_initial"] = [np.asarray(w) for w in net.get_weights()]
    first = train_and_checkpoint(net, manager, ckpt, iterator)
    results["kept"] = [os.path.basename(path) for path in manager.checkpoints]

    # A new model, optimizer and manager: restored from the latest checkpoint (step 6), training goes on
    opt = tf.keras.optimizers.Adam(0.1)
    net = Net()
    net(tf.zeros([1, 1]))
    iterator = iter(dataset.skip(5))  # the examples the first run had not used
    ckpt = tf.train.Checkpoint(step=tf.Variable(1), optimizer=opt, net=net)
    manager = tf.train.CheckpointManager(ckpt, os.path.join(directory, "tf_ckpts"), max_to_keep=3)
    second = train_and_checkpoint(net, manager, ckpt, iterator)
    results["losses"] = first + second
    results["final_step"] = int(ckpt.step)
    results["kept_after"] = [os.path.basename(path) for path in manager.checkpoints]
    return results


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0))))
