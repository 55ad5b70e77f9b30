"""``keras.utils.FeatureSpace``: one object that turns a dict of raw columns into model-ready features.

Each named feature gets a preprocessing layer (normalization, rescaling,
discretization, string/integer lookup, hashing); categorical features are
one-hot encoded (``output_mode='one_hot'``) or kept as indices (``'int'``);
``crosses`` hash pairs (or tuples) of categorical features together. ``adapt``
learns vocabularies, means and bin edges from a dict of arrays or a dataset of
dict batches; calling the space on a dict returns the features concatenated
in Keras's order (features by sorted name, then crosses) or as a dict.

This is Keras 3's API computed eagerly on Ember tensors and NumPy columns
(Keras builds it on ``tf.data``); saving a FeatureSpace is not supported.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> space = keras.utils.FeatureSpace(
    ...     {"age": "float_normalized", "city": "string_categorical", "rooms": "integer_categorical"},
    ...     crosses=[("city", "rooms")], crossing_dim=4)
    >>> space.adapt({"age": np.array([20.0, 40.0]), "city": np.array(["a", "b"]), "rooms": np.array([1, 2])})
    >>> features = space({"age": np.array([30.0]), "city": np.array(["b"]), "rooms": np.array([2])})
    >>> tuple(features.shape)  # age 1 + city (3: OOV, a, b) + rooms 3 + cross 4
    (1, 11)
    >>> float(features[0, 0]), float(features[0, 1:4].sum())  # age 30 normalized; one city slot on
    (0.0, 1.0)
"""
from __future__ import annotations

import numpy

import ember

from .. import backend

_TYPES = ("float", "float_normalized", "float_rescaled", "float_discretized", "integer_categorical",
          "string_categorical", "integer_hashed", "string_hashed")


class Feature:
    """A column's dtype, its preprocessing layer and how its indices are output (``float``/``int``/``one_hot``)."""

    def __init__(self, dtype: str, preprocessor, output_mode: str):
        if output_mode not in ("int", "one_hot", "float"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', 'float'}. "
                             f"Received: output_mode={output_mode}")
        self.dtype, self.preprocessor, self.output_mode = dtype, preprocessor, output_mode


class Cross:
    """Features hashed together into ``crossing_dim`` bins."""

    def __init__(self, feature_names, crossing_dim: int, output_mode: str = "one_hot"):
        if output_mode not in ("int", "one_hot"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot'}. "
                             f"Received: output_mode={output_mode}")
        self.feature_names, self.crossing_dim, self.output_mode = tuple(feature_names), crossing_dim, output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)


class _Identity:
    """The ``float`` feature's preprocessor: the column as float32."""

    def __call__(self, values):
        return ember.cast(ember.as_tensor(values), "float32")


def _layers():
    from .. import layers
    return layers


class FeatureSpace:
    """Preprocess and encode a dict of feature columns (see the module docstring)."""

    @classmethod
    def cross(cls, feature_names, crossing_dim: int, output_mode: str = "one_hot") -> Cross:
        return Cross(feature_names, crossing_dim, output_mode)

    @classmethod
    def feature(cls, dtype: str, preprocessor, output_mode: str) -> Feature:
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None) -> Feature:
        return Feature("float32", _Identity(), "float")

    @classmethod
    def float_rescaled(cls, scale: float = 1.0, offset: float = 0.0, name=None) -> Feature:
        return Feature("float32", _layers().Rescaling(scale=scale, offset=offset), "float")

    @classmethod
    def float_normalized(cls, name=None) -> Feature:
        return Feature("float32", _layers().Normalization(axis=-1), "float")

    @classmethod
    def float_discretized(cls, num_bins: int, bin_boundaries=None, output_mode: str = "one_hot", name=None):
        return Feature("float32", _layers().Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries),
                       output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices: int = 1, output_mode: str = "one_hot", name=None):
        return Feature("int32", _layers().IntegerLookup(max_tokens=max_tokens, num_oov_indices=num_oov_indices),
                       output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices: int = 1, output_mode: str = "one_hot", name=None):
        return Feature("string", _layers().StringLookup(max_tokens=max_tokens, num_oov_indices=num_oov_indices),
                       output_mode)

    @classmethod
    def string_hashed(cls, num_bins: int, output_mode: str = "one_hot", name=None) -> Feature:
        return Feature("string", _layers().Hashing(num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins: int, output_mode: str = "one_hot", name=None) -> Feature:
        return Feature("int32", _layers().Hashing(num_bins=num_bins), output_mode)

    def __init__(self, features: dict, output_mode: str = "concat", crosses=None, crossing_dim: int = 32,
                 hashing_dim: int = 32, num_discretization_bins: int = 32, name=None):
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if output_mode not in ("dict", "concat"):
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. "
                             f"Received: output_mode={output_mode}")
        self.output_mode, self.crossing_dim = output_mode, crossing_dim
        self.hashing_dim, self.num_discretization_bins = hashing_dim, num_discretization_bins
        self.name = name or backend.unique_name("feature_space")
        self.features = {key: self._standardize(key, value) for key, value in features.items()}
        self.crosses = [self._cross(cross) for cross in crosses or []]
        self.preprocessors = {key: feature.preprocessor for key, feature in self.features.items()}
        self.crossers = {cross.name: _layers().HashedCrossing(cross.crossing_dim) for cross in self.crosses}
        self._is_adapted = not self._adaptable()

    def _standardize(self, name: str, feature) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if feature not in _TYPES:
            raise ValueError(f"Invalid feature type: {feature}")
        if feature == "float_discretized":
            return self.float_discretized(num_bins=self.num_discretization_bins)
        if feature in ("integer_hashed", "string_hashed"):
            return getattr(self, feature)(self.hashing_dim)
        return getattr(self, feature)()

    def _cross(self, cross) -> Cross:
        if isinstance(cross, Cross):
            return cross
        unknown = [key for key in cross if key not in self.features]
        if unknown:
            raise ValueError(f"All features referenced in the `crosses` argument should be present in the "
                             f"`features` dict. Received unknown features: {cross}")
        return Cross(cross, crossing_dim=self.crossing_dim)

    def _adaptable(self) -> list[str]:
        layers = _layers()
        names = []
        for key, preprocessor in self.preprocessors.items():
            if isinstance(preprocessor, layers.Normalization) and getattr(preprocessor, "input_mean", None) is not None:
                continue
            if isinstance(preprocessor, layers.Discretization) and getattr(preprocessor, "bin_boundaries", None):
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(key)
        return names

    def adapt(self, dataset) -> None:
        """Learn each adaptable preprocessor's state from a dict of columns or an iterable of dict batches."""
        if isinstance(dataset, dict):
            columns = {key: numpy.asarray(value) for key, value in dataset.items()}
        elif hasattr(dataset, "__iter__"):
            batches = list(dataset)
            columns = {key: numpy.concatenate([numpy.asarray(_host(batch[key])).reshape(-1) for batch in batches])
                       for key in self.features}
        else:
            raise ValueError(f"`adapt()` can only be called on a dataset or a dict of arrays/lists. Received instead: "
                             f"{dataset} (of type {type(dataset)})")
        for key in self._adaptable():
            self.preprocessors[key].adapt(_column(columns[key]))
        self._is_adapted = True

    def _cardinality(self, name: str, layer) -> int:
        layers = _layers()
        if isinstance(layer, (layers.IntegerLookup, layers.StringLookup)):
            return layer.vocabulary_size()
        if isinstance(layer, layers.CategoryEncoding):
            return layer.num_tokens
        if isinstance(layer, (layers.Discretization, layers.Hashing, layers.HashedCrossing)):
            return layer.num_bins
        raise ValueError(f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard feature and the "
                         "dimensionality of its output space is not known, thus it cannot be one-hot encoded. Try "
                         "using `output_mode='int'`.")

    def __call__(self, data: dict):
        if not self._is_adapted:
            raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before you can start using it.")
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a dict. Received: data={data} (of type "
                             f"{type(data)}")
        single = all(numpy.ndim(_host(value)) == 0 for value in data.values())
        columns = {key: _column(_host(value)) for key, value in data.items()}
        encoded = {key: self.preprocessors[key](columns[key]) for key in sorted(self.features)}
        crossed = {cross.name: self.crossers[cross.name]([encoded[key] for key in cross.feature_names])
                   for cross in self.crosses}
        specs = {**self.features, **{cross.name: cross for cross in self.crosses}}
        merged = {}
        for key, values in [*encoded.items(), *sorted(crossed.items())]:
            if specs[key].output_mode == "one_hot":
                layer = self.preprocessors.get(key) or self.crossers[key]
                values = _layers().CategoryEncoding(num_tokens=self._cardinality(key, layer),
                                                    output_mode="one_hot")(values)
            elif self.output_mode == "concat" and specs[key].output_mode == "int":
                raise ValueError(f"Cannot concatenate features because feature '{key}' has `output_mode='int'`, which "
                                 "is an integer dtype. Consider using `output_mode='dict'`.")
            merged[key] = values
        if self.output_mode == "dict":
            return {key: value[0] if single else value for key, value in merged.items()}
        result = ember.cat([ember.cast(value, "float32") for value in merged.values()], dim=-1)
        return result[0] if single else result


def _host(value):
    if hasattr(value, "detach"):
        value = value.detach()
    return numpy.asarray(value)


def _column(values) -> numpy.ndarray:
    """A (batch, 1) column (scalars become one row, 1-D arrays one column)."""
    values = numpy.asarray(values)
    if values.ndim == 0:
        return values.reshape(1, 1)
    return values.reshape(-1, 1) if values.ndim == 1 else values
