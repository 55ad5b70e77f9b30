"""Keras models (``keras.models``): Model, Sequential, and saving/loading whole models."""
from ..layers.input_layer import Input
from .model import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile: bool = True, safe_mode: bool = True):
    """Load a model saved with ``model.save('name.keras')``."""
    from ..saving import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_json(json_string: str, custom_objects=None):
    from ..saving import model_from_json as _from_json
    return _from_json(json_string, custom_objects)


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive: bool = False,
                **kwargs):
    """A new model with the same architecture and fresh weights (``keras.models.clone_model``).

    ``clone_function(layer)`` makes each new layer (default: ``from_config(get_config())``);
    ``call_function(layer, *args, **kwargs)`` calls it in a functional model; ``input_tensors``
    replace a functional model's inputs. Subclassed models are rebuilt from their config.

    Example:
        >>> from ember import keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")])
        >>> twin = keras.models.clone_model(model, clone_function=lambda layer: keras.layers.Dense(
        ...     layer.units, activation="relu", name=layer.name + "_twin"))
        >>> [layer.name for layer in twin.layers], twin.output_shape
        (['d_twin'], (None, 2))
    """
    if clone_function is None and call_function is None and input_tensors is None:
        from ..saving import deserialize_layer, serialize_layer
        return deserialize_layer(serialize_layer(model), kwargs.get("custom_objects"))
    clone_function = clone_function or _fresh_layer
    if isinstance(model, Sequential):
        if input_tensors is not None:
            raise ValueError("clone_model: `input_tensors` is supported for functional models only")
        layers = [clone_function(layer) for layer in model.layers]
        start = [Input(batch_shape=model._input_layer.batch_shape)] if model._input_layer is not None else []
        return Sequential(start + layers, name=model.name)
    if getattr(model, "_graph", None) is None:
        return model.__class__.from_config(model.get_config())
    return _clone_functional(model, input_tensors, clone_function, call_function)


def _fresh_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def _clone_functional(model, input_tensors, clone_function, call_function):
    from ..utils import tree
    graph = model._graph
    inputs = input_tensors if input_tensors is not None else tree.pack_sequence_as(
        graph.inputs, [Input(batch_shape=t.shape, dtype=t.dtype, name=t.name) for t in graph.flat_inputs])
    flat_inputs = tree.flatten(inputs)
    if len(flat_inputs) != len(graph.flat_inputs):
        raise ValueError(f"clone_model: expected {len(graph.flat_inputs)} input tensor(s), got {len(flat_inputs)}")
    clones: dict = {}

    def call(layer, args, call_kwargs):
        if layer not in clones:
            clones[layer] = clone_function(layer)
        if call_function is not None:
            return call_function(clones[layer], *args, **call_kwargs)
        return clones[layer](*args, **call_kwargs)
    outputs = graph.run(flat_inputs, call)
    return Model(inputs, outputs, name=model.name)
