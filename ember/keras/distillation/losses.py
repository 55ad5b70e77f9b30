"""Distillation losses: how far the student's outputs (or inner features) are from the teacher's."""
from __future__ import annotations

import ember

from .. import losses as losses_module
from .. import ops
from .. import tree


def _loss_function(loss):
    """A loss object or function from a name, an object or None (no loss for that output)."""
    if loss is None:
        return None
    return losses_module.get(loss) if isinstance(loss, str) else loss


def _sum_of_means(values) -> ember.Tensor:
    return ops.sum(ops.stack([ops.convert_to_tensor(value, "float32") for value in tree.flatten(values)]))


class DistillationLoss:
    """Base class: ``compute_loss(teacher_outputs, student_outputs)`` returns a scalar."""

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        raise NotImplementedError("Subclasses must implement compute_loss")

    def validate_outputs(self, teacher_outputs, student_outputs) -> None:
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher, student) -> None:
        """Raise when the two models cannot be distilled with this loss (nothing to check here)."""


class FeatureDistillation(DistillationLoss):
    """A loss (default MSE) between the teacher's and the student's outputs of the named layers (or final outputs)."""

    def __init__(self, loss="mse", teacher_layer_name: str | None = None, student_layer_name: str | None = None):
        self.teacher_layer_name, self.student_layer_name = teacher_layer_name, student_layer_name
        self.loss = tree.map_structure(_loss_function, loss)
        if all(item is None for item in tree.flatten(self.loss)):
            raise ValueError("The `loss` argument in `FeatureDistillation` must contain at least one non-`None` value.")

    def validate_model_compatibility(self, teacher, student) -> None:
        for role, model, layer_name in (("teacher", teacher, self.teacher_layer_name),
                                        ("student", student, self.student_layer_name)):
            if layer_name is None:
                continue
            if getattr(model, "inputs", None) is None:
                raise ValueError(f"FeatureDistillation with specific layer names requires Functional or Sequential "
                                 f"models; the {role} model appears to be subclassed (no symbolic inputs/outputs).")
            try:
                model.get_layer(name=layer_name)
            except ValueError as error:
                raise ValueError(f"In {role} model: {error}") from error

    def validate_outputs(self, teacher_outputs, student_outputs) -> None:
        super().validate_outputs(teacher_outputs, student_outputs)
        tree.assert_same_structure(self.loss, teacher_outputs)

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        def apply(loss, teacher, student):
            return 0.0 if loss is None else ops.mean(loss(teacher, student))
        return _sum_of_means(tree.map_structure(apply, self.loss, teacher_outputs, student_outputs))

    def get_config(self) -> dict:
        return {"loss": tree.map_structure(losses_module.serialize, self.loss),
                "teacher_layer_name": self.teacher_layer_name, "student_layer_name": self.student_layer_name}

    @classmethod
    def from_config(cls, config: dict) -> "FeatureDistillation":
        return cls(**config)


class LogitsDistillation(DistillationLoss):
    """KL divergence between temperature-softened teacher and student probabilities, times ``temperature²``."""

    def __init__(self, temperature: float = 3.0, loss="kl_divergence"):
        self.temperature = temperature
        self.loss = tree.map_structure(_loss_function, loss)
        if all(item is None for item in tree.flatten(self.loss)):
            raise ValueError("At least one loss must be non-`None`.")
        if not isinstance(temperature, (int, float)):
            raise ValueError(f"temperature must be a number, got {type(temperature)}")
        if temperature <= 0.0:
            raise ValueError("temperature must be positive.")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        def apply(loss, teacher, student):
            if loss is None:
                return 0.0
            teacher, student = teacher / self.temperature, student / self.temperature
            if isinstance(loss, losses_module.KLDivergence):  # compare the softened probabilities
                value = ops.mean(loss(ops.softmax(teacher, axis=-1), ops.softmax(student, axis=-1)))
                return value * self.temperature ** 2
            return ops.mean(loss(teacher, student))
        return _sum_of_means(tree.map_structure(apply, self.loss, teacher_outputs, student_outputs))

    def get_config(self) -> dict:
        return {"temperature": self.temperature, "loss": tree.map_structure(losses_module.serialize, self.loss)}

    @classmethod
    def from_config(cls, config: dict) -> "LogitsDistillation":
        return cls(**config)
