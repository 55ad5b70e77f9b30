"""Invertible maps between constraint sets, with log-abs-det-Jacobians: the building blocks of
``TransformedDistribution`` and of ``biject_to``/``transform_to``.

A ``Transform`` maps ``domain`` onto ``codomain``; ``t(x)`` applies it, ``t.inv(y)`` inverts
it and ``t.log_abs_det_jacobian(x, y)`` is ``log |dy/dx|`` summed over ``event_dim``
dimensions. Every map is composed from Ember ops, so gradients flow through all three.
This module gathers them all, as ``torch.distributions.transforms`` does: the machinery is in
``transform_base.py``, the elementwise maps in ``transforms_elementwise.py`` and the maps that
change or span event dimensions in ``transforms_shaped.py``.

Example:
    >>> import ember
    >>> from ember.distributions.transforms import AffineTransform, ExpTransform, ComposeTransform
    >>> t = ComposeTransform([AffineTransform(0.0, 2.0), ExpTransform()])
    >>> x = ember.tensor([0.0, 0.5])
    >>> t(x), t.inv(t(x)), t.log_abs_det_jacobian(x, t(x))
    (tensor([1.0000, 2.7183]), tensor([0.0000, 0.5000]), tensor([0.6931, 1.6931]))
"""
from .transform_base import ComposeTransform, Transform, identity_transform
from .transforms_elementwise import (AbsTransform, AffineTransform, CumulativeDistributionTransform, ExpTransform,
                                     PowerTransform, SigmoidTransform, SoftplusTransform, TanhTransform)
from .transforms_shaped import (CatTransform, CorrCholeskyTransform, IndependentTransform, LowerCholeskyTransform,
                                PositiveDefiniteTransform, ReshapeTransform, SoftmaxTransform, StackTransform,
                                StickBreakingTransform)

__all__ = ["AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform",
           "SoftmaxTransform", "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform",
           "Transform", "identity_transform"]
