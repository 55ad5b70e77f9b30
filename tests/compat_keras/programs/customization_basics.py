"""TensorFlow 2 tutorials "Introduction to modules, layers, and models", "Custom layers" and
"Basic training loops": a ``tf.Module`` holding ``tf.Variable``s, trained by hand with
``tf.GradientTape`` over a ``tf.data`` pipeline, then Keras Layer and Model subclasses.

Only the import differs from the tutorials (``import ember as tf``): TensorFlow code has no
Keras-on-torch twin, so the test checks these numbers against the same steps in NumPy.
"""
import numpy as np

import ember as tf

TRUE_W = 3.0
TRUE_B = 2.0


class MyModel(tf.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # Initialize the weights to `5.0` and the bias to `0.0`
        # In practice, these should be randomly initialized
        self.w = tf.Variable(5.0)
        self.b = tf.Variable(0.0)

    def __call__(self, x):
        return self.w * x + self.b


# This computes a single loss value for an entire batch
def loss(target_y, predicted_y):
    return tf.reduce_mean(tf.square(target_y - predicted_y))


def train_step(model, x, y, learning_rate):
    # Trainable variables are automatically tracked by GradientTape
    with tf.GradientTape() as t:
        current_loss = loss(y, model(x))
    # Use GradientTape to calculate the gradients with respect to W and b
    dw, db = t.gradient(current_loss, [model.w, model.b])
    # Subtract the gradient scaled by the learning rate
    model.w.assign_sub(learning_rate * dw)
    model.b.assign_sub(learning_rate * db)
    return current_loss


class MyDenseLayer(tf.keras.layers.Layer):
    def __init__(self, num_outputs):
        super().__init__()
        self.num_outputs = num_outputs

    def build(self, input_shape):
        # The tutorial's add_weight("kernel", shape=...) is tf.keras 2's order; Keras 3 wants the name
        # as a keyword (and says so), as do Ember's Keras layers
        self.kernel = self.add_weight(shape=[int(input_shape[-1]), self.num_outputs], name="kernel")

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel)


class ResnetIdentityBlock(tf.keras.Model):
    def __init__(self, kernel_size, filters):
        super().__init__(name="")
        filters1, filters2, filters3 = filters
        self.conv2a = tf.keras.layers.Conv2D(filters1, (1, 1))
        self.bn2a = tf.keras.layers.BatchNormalization()
        self.conv2b = tf.keras.layers.Conv2D(filters2, kernel_size, padding="same")
        self.bn2b = tf.keras.layers.BatchNormalization()
        self.conv2c = tf.keras.layers.Conv2D(filters3, (1, 1))
        self.bn2c = tf.keras.layers.BatchNormalization()

    def call(self, input_tensor, training=False):
        x = self.conv2a(input_tensor)
        x = self.bn2a(x, training=training)
        x = tf.nn.relu(x)
        x = self.conv2b(x)
        x = self.bn2b(x, training=training)
        x = tf.nn.relu(x)
        x = self.conv2c(x)
        x = self.bn2c(x, training=training)
        x += input_tensor
        return tf.nn.relu(x)


def make_data(rng, num_examples=64):
    # A vector of random x values, and some noise
    x = rng.normal(size=num_examples).astype("float32")
    noise = rng.normal(size=num_examples).astype("float32")
    # Calculate y
    y = x * TRUE_W + TRUE_B + noise
    return x, y


def build_model():
    return MyModel()


def train(model, data, epochs=5, learning_rate=0.1):
    x, y = data
    weights, batch_losses = [], []
    # Each epoch goes over the whole set in batches of 16, in order
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    for epoch in range(epochs):
        for x_batch, y_batch in dataset:
            batch_losses.append(float(train_step(model, x_batch, y_batch, learning_rate)))
        weights.append([float(model.w.numpy()), float(model.b.numpy())])
    layer = MyDenseLayer(10)
    layer_output = layer(tf.zeros([10, 5]))
    block = ResnetIdentityBlock(1, [1, 2, 3])
    block_output = block(tf.zeros([1, 2, 3, 3]))
    return {"batch_losses": batch_losses, "weights": weights,
            "variables": [float(v.numpy()) for v in model.trainable_variables],
            "layer": {"output_shape": list(layer_output.shape),
                      "variables": [v.name for v in layer.trainable_variables]},
            "block": {"output_shape": list(block_output.shape), "layers": len(block.layers),
                      "variables": len(block.variables), "trainable": len(block.trainable_variables)}}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0))))
