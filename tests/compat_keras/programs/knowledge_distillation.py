"""keras.io "Knowledge Distillation": a Distiller Model subclass whose ``compute_loss`` mixes the
student's loss on the labels with the KL divergence between the teacher's and the student's
temperature-softened predictions; the teacher is trained first, then distilled.

Only the import differs from the example (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers, ops


class Distiller(keras.Model):
    def __init__(self, student, teacher):
        super().__init__()
        self.teacher = teacher
        self.student = student

    def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1, temperature=3):
        """Configure the distiller.

        Args:
            optimizer: Keras optimizer for the student weights
            metrics: Keras metrics for evaluation
            student_loss_fn: Loss function of difference between student
                predictions and ground-truth
            distillation_loss_fn: Loss function of difference between soft
                student predictions and soft teacher predictions
            alpha: weight to student_loss_fn and 1-alpha to distillation_loss_fn
            temperature: Temperature for softening probability distributions.
                Larger temperature gives softer distributions.
        """
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
        teacher_pred = self.teacher(x, training=False)
        student_loss = self.student_loss_fn(y, y_pred)

        distillation_loss = self.distillation_loss_fn(
            ops.softmax(teacher_pred / self.temperature, axis=1),
            ops.softmax(y_pred / self.temperature, axis=1),
        ) * (self.temperature**2)

        loss = self.alpha * student_loss + (1 - self.alpha) * distillation_loss
        return loss

    def call(self, x):
        return self.student(x)


def make_data(rng, samples=32):
    x = rng.random(size=(samples, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 4, size=samples)
    return x, y


def build_model():
    # Create the teacher
    teacher = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Conv2D(8, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
            layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
            layers.Flatten(),
            layers.Dense(4),
        ],
        name="teacher",
    )
    # Create the student, and a second one trained from scratch for comparison (the example clones
    # the first with keras.models.clone_model; two names keep them apart in one holder model)
    student, student_scratch = (keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Conv2D(4, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1), padding="same"),
            layers.Conv2D(4, (3, 3), strides=(2, 2), padding="same"),
            layers.Flatten(),
            layers.Dense(4),
        ],
        name=name,
    ) for name in ("student", "student_scratch"))
    return Models(teacher, student, student_scratch)


class Models(keras.Model):
    """The three networks in one object, to hand them around together."""

    def __init__(self, teacher, student, student_scratch):
        super().__init__()
        self.teacher, self.student, self.student_scratch = teacher, student, student_scratch

    def call(self, x):
        return self.teacher(x)


def train(holder, data):
    x_train, y_train = data
    teacher, student, student_scratch = holder.teacher, holder.student, holder.student_scratch
    # Train teacher as usual
    teacher.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    teacher_history = teacher.fit(x_train, y_train, epochs=2, batch_size=8, shuffle=False, verbose=0)
    teacher_eval = teacher.evaluate(x_train, y_train, verbose=0)

    # Initialize and compile distiller
    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(
        optimizer=keras.optimizers.Adam(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
        student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        distillation_loss_fn=keras.losses.KLDivergence(),
        alpha=0.1,
        temperature=10,
    )
    # Distill teacher to student
    distilled = distiller.fit(x_train, y_train, epochs=2, batch_size=8, shuffle=False, verbose=0)

    # Train student as doen usually
    student_scratch.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    scratch = student_scratch.fit(x_train, y_train, epochs=2, batch_size=8, shuffle=False, verbose=0)
    return {"losses": teacher_history.history["loss"] + [teacher_eval[0]] + distilled.history["loss"]
            + scratch.history["loss"],
            "accuracy": distilled.history["sparse_categorical_accuracy"] + [teacher_eval[1]],
            "counts": [len(distiller.student.trainable_weights), len(teacher.trainable_weights)],
            "predictions": distiller.predict(x_train[:4], verbose=0)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0))))
