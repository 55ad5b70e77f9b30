"""keras.distillation against real Keras 3: a Distiller trains the student to the same weights and logs the
same losses (logits and feature distillation, several weightings)."""
import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import random

X = random(24, 5)
Y = (np.abs(X[:, 0]) * 2).astype("int64") % 3


def _models(module, weights):
    def make(prefix):
        inputs = module.Input((5,))
        hidden = module.layers.Dense(4, activation="tanh", name=f"{prefix}_hidden")(inputs)
        return module.Model(inputs, module.layers.Dense(3, name=f"{prefix}_logits")(hidden), name=prefix)
    teacher, student = make("teacher"), make("student")
    teacher.set_weights(weights[0])
    student.set_weights(weights[1])
    return teacher, student


def _losses(module, kind):
    if kind == "logits":
        return module.distillation.LogitsDistillation(temperature=2.0)
    if kind == "logits_kl_object":
        return module.distillation.LogitsDistillation(temperature=3.0, loss=module.losses.KLDivergence())
    if kind == "features":
        return [module.distillation.FeatureDistillation(teacher_layer_name="teacher_hidden",
                                                        student_layer_name="student_hidden"),
                module.distillation.LogitsDistillation(loss="mse")]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind,student_loss_weight,run_eagerly", [
    ("logits", 0.5, False), ("logits_kl_object", 0.3, True), ("features", 0.5, False), ("logits", 0.0, True)])
def test_distiller_steps_match_keras(kind, student_loss_weight, run_eagerly):
    """Each training step from the same student weights gives the same losses and new weights as Keras.

    Step by step (the Ember student restarts from Keras's weights before each batch; plain SGD keeps no
    state): Keras's default LogitsDistillation feeds logits to kl_divergence, which clips them to
    [1e-7, 1], and where a value crosses a clip edge float32 rounding decides whether its gradient is
    zero, so free-running fits drift apart by chance after a few steps while every step agrees.
    """
    rng = np.random.default_rng(7)  # the test's own draws: the same weights whatever ran before
    weights = [[rng.normal(size=shape).astype("float32") * scale for shape, scale in
                (((5, 4), 1.0), ((4,), 0.1), ((4, 3), 1.0), ((3,), 0.1))] for _ in range(2)]
    made = {}
    for module in (keras, ember_keras):
        teacher, student = _models(module, weights)
        distiller = module.distillation.Distiller(teacher, student, _losses(module, kind),
                                                  student_loss_weight=student_loss_weight)
        distiller.compile(optimizer=module.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                          run_eagerly=run_eagerly)
        made[module] = (distiller, student)
    for start in range(0, 24, 8):
        batch = (X[start:start + 8], Y[start:start + 8])
        made[ember_keras][1].set_weights(made[keras][1].get_weights())
        logs = {module: made[module][0].fit(*batch, epochs=1, verbose=0).history for module in made}
        assert sorted(logs[ember_keras]) == sorted(logs[keras])
        for key in logs[keras]:
            np.testing.assert_allclose(logs[ember_keras][key], logs[keras][key], rtol=1e-4, atol=1e-5, err_msg=key)
        for actual, expected in zip(made[ember_keras][1].get_weights(), made[keras][1].get_weights()):
            np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)
    for actual_weight, start in zip(made[ember_keras][0].teacher.get_weights(), weights[0]):
        np.testing.assert_array_equal(actual_weight, start)  # the teacher stays frozen


def test_distiller_argument_errors_match_keras():
    weights = [[random(5, 4), random(4), random(4, 3), random(3)] for _ in range(2)]
    for module in (keras, ember_keras):
        teacher, student = _models(module, weights)
        with pytest.raises(ValueError, match="student_loss_weight"):
            module.distillation.Distiller(teacher, student, module.distillation.LogitsDistillation(),
                                          student_loss_weight=1.5)
        with pytest.raises(ValueError, match="cannot be `None`"):
            module.distillation.Distiller(teacher, student, None)
        with pytest.raises(ValueError, match="temperature must be positive"):
            module.distillation.LogitsDistillation(temperature=0.0)
        with pytest.raises(ValueError, match="teacher model"):
            module.distillation.Distiller(teacher, student, module.distillation.FeatureDistillation(
                teacher_layer_name="missing"))
