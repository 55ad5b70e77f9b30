"""``keras.distillation``: train a small student model to match a frozen teacher (Keras 3's API).

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> teacher = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    >>> student = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    >>> distiller = keras.distillation.Distiller(teacher, student, keras.distillation.LogitsDistillation(2.0))
    >>> distiller.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    >>> logs = distiller.fit(np.ones((8, 4)), np.zeros(8), epochs=1, verbose=0).history
    >>> sorted(logs)
    ['distillation_loss', 'loss', 'student_loss', 'total_loss']
"""
from .distiller import Distiller
from .losses import DistillationLoss, FeatureDistillation, LogitsDistillation

__all__ = ["DistillationLoss", "Distiller", "FeatureDistillation", "LogitsDistillation"]
