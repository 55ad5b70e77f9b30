"""TensorFlow 2's spelling on Ember (``import ember as tf``).

The names TensorFlow tutorials use (``tf.GradientTape``, ``tf.Variable``,
``tf.reduce_mean``, ``tf.random.normal``, ``tf.nn.softmax_cross_entropy_with_logits``
…) are defined in this package's small modules and re-exported by
``ember/__init__.py``; ``tf.data`` is :mod:`ember.data` (see
:mod:`ember.data.pipeline`) and ``tf.keras`` is :mod:`ember.keras`. The
functions compose Ember's public ops, so gradients come from the primitives
underneath; :class:`GradientTape` is a view of Ember's own autograd.

This ``__init__`` imports nothing, so ``ember.nn`` can take the ``tf.nn``
functions from :mod:`ember.tf_compat.nn_functions` without an import cycle.
"""
