"""``Distiller``: a model that trains ``student`` on ``student_loss_weight`` x the task loss plus
``1 - student_loss_weight`` x the distillation losses against a frozen ``teacher`` (Keras 3's rules)."""
from __future__ import annotations

from .. import ops
from .. import tree
from ..metrics import Mean
from ..models import Model, Sequential
from .losses import _loss_function


def _check_same_shapes(teacher_values, student_values, context: str) -> None:
    for teacher, student in zip(tree.flatten(teacher_values), tree.flatten(student_values)):
        teacher_shape, student_shape = tuple(teacher.shape), tuple(student.shape)
        if len(teacher_shape) != len(student_shape) or any(
                a is not None and b is not None and a != b for a, b in zip(teacher_shape, student_shape)):
            raise ValueError(f"Teacher and student {context} shapes are incompatible. Teacher: {teacher_shape}, "
                             f"Student: {student_shape}. All dimensions must match.")
        if teacher.dtype != student.dtype:
            raise ValueError(f"Teacher and student {context} dtypes must match. Teacher: {teacher.dtype}, "
                             f"Student: {student.dtype}.")


class Distiller(Model):
    """Knowledge distillation of ``teacher`` (frozen) into ``student``; ``call`` runs the student."""

    def __init__(self, teacher, student, distillation_losses, distillation_loss_weights=None,
                 student_loss_weight: float = 0.5, name: str = "distiller", **kwargs):
        super().__init__(name=name, **kwargs)
        for role, model in (("Teacher", teacher), ("Student", student)):
            if not isinstance(model, Model):
                raise ValueError(f"{role} must be a keras.Model, got {type(model)}")
        for context in ("inputs", "outputs"):
            if getattr(teacher, context, None) is not None and getattr(student, context, None) is not None:
                _check_same_shapes(getattr(teacher, context), getattr(student, context), context[:-1])
        if not isinstance(student_loss_weight, (int, float)) or not 0.0 <= student_loss_weight <= 1.0:
            raise ValueError(f"student_loss_weight must be a number between 0.0 and 1.0, got {student_loss_weight}")
        if distillation_losses is None:
            raise ValueError("'distillation_losses' cannot be `None`. Provide a distillation loss (e.g., "
                             "LogitsDistillation or FeatureDistillation) or a list of distillation losses.")
        losses = list(distillation_losses) if isinstance(distillation_losses, (list, tuple)) else [distillation_losses]
        weights = [1.0] * len(losses) if distillation_loss_weights is None else list(distillation_loss_weights)
        if len(weights) != len(losses):
            raise ValueError(f"Number of distillation_loss_weights ({len(weights)}) must match number of "
                             f"distillation_losses ({len(losses)})")
        for loss in losses:
            loss.validate_model_compatibility(teacher, student)
        self.teacher, self.student, self.student_loss_weight = teacher, student, student_loss_weight
        self.distillation_losses, self.distillation_loss_weights = losses, weights
        self._teacher_features = self._feature_extractor(teacher, "teacher_layer_name")
        self._student_features = self._feature_extractor(student, "student_layer_name")
        self.teacher.trainable = False
        self.student_loss_tracker = Mean(name="student_loss")
        self.distillation_loss_tracker = Mean(name="distillation_loss")
        self.total_loss_tracker = Mean(name="total_loss")

    def _feature_extractor(self, model, attribute: str):
        """A model returning ``{'final_output': ..., layer name: that layer's output}`` (None if no layer is named)."""
        names = list(dict.fromkeys(getattr(loss, attribute, None) for loss in self.distillation_losses
                                   if getattr(loss, attribute, None)))
        if not names:
            return None
        final = model.layers[-1].output if isinstance(model, Sequential) else model.output
        outputs = {"final_output": final, **{name: model.get_layer(name=name).output for name in names}}
        return Model(inputs=model.inputs, outputs=outputs, name=f"{model.name}_multi_feature_extractor")

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs) -> None:
        if loss is None:
            raise ValueError("'loss' cannot be `None`.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list or tuple, got {type(metrics)}")
        self._student_loss = tree.map_structure(_loss_function, loss)
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)

    def call(self, inputs, training=None, **kwargs):
        return self.student(inputs, training=training, **kwargs)

    @property
    def metrics(self) -> list:
        return [*super().metrics, self.student_loss_tracker, self.distillation_loss_tracker, self.total_loss_tracker]

    def _task_loss(self, y, y_pred):
        values = tree.flatten(tree.map_structure(lambda loss, target, output: loss(target, output),
                                                 self._student_loss, y, y_pred))
        loss = ops.sum(ops.stack(values)) if len(values) > 1 else values[0]
        return ops.mean(loss) if len(loss.shape) > 0 else loss

    def _distillation_loss(self, x, y_pred):
        teacher = self._teacher_features(x, training=False) if self._teacher_features is not None else \
            {"final_output": self.teacher(x, training=False)}
        student = self._student_features(x, training=True) if self._student_features is not None else \
            {"final_output": y_pred}
        total = 0.0
        for loss, weight in zip(self.distillation_losses, self.distillation_loss_weights):
            teacher_name = getattr(loss, "teacher_layer_name", None)
            teacher_out = teacher[teacher_name or "final_output"] if teacher_name else teacher["final_output"]
            student_out = student[getattr(loss, "student_layer_name", None) or "final_output"] if teacher_name \
                else y_pred
            loss.validate_outputs(teacher_out, student_out)
            value = loss.compute_loss(teacher_out, student_out)
            if len(getattr(value, "shape", ())) > 0:
                raise ValueError(f"Distillation loss {type(loss).__name__} returned a non-scalar loss with shape "
                                 f"{value.shape}. The compute_loss method must return a scalar tensor.")
            total = total + weight * value
        return total

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training: bool = True):
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss = self._task_loss(y, y_pred) if self.student_loss_weight > 0.0 and y is not None else 0.0
        distillation_loss = self._distillation_loss(x, y_pred) if self.student_loss_weight < 1.0 else 0.0
        total = self.student_loss_weight * student_loss + (1.0 - self.student_loss_weight) * distillation_loss
        self.student_loss_tracker.update_state(student_loss)
        self.distillation_loss_tracker.update_state(distillation_loss)
        self.total_loss_tracker.update_state(total)
        self._last_loss_parts = []
        return total

    def reset_metrics(self) -> None:
        super().reset_metrics()
        for tracker in (self.student_loss_tracker, self.distillation_loss_tracker, self.total_loss_tracker):
            tracker.reset_state()
