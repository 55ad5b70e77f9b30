"""The functional API's graph: the nodes between a model's inputs and outputs, in run order.

``FunctionalGraph(inputs, outputs)`` walks back from the output KerasTensors
through the :class:`~ember.keras.layers.symbolic.Node` records (iteratively,
in a deterministic order) and keeps the nodes in an order where every node
comes after the nodes that feed it. Running the graph is one loop over that
list; so is inferring its output shapes, and so is writing its config.

Example:
    >>> from ember import keras
    >>> a = keras.Input(shape=(4,), name="a")
    >>> b = keras.Input(shape=(2,), name="b")
    >>> shared = keras.layers.Dense(3, name="shared")
    >>> merged = keras.layers.Concatenate(name="cat")([shared(a), b])
    >>> graph = FunctionalGraph([a, b], merged)
    >>> [layer.name for layer in graph.layers]
    ['a', 'shared', 'b', 'cat']
"""
from __future__ import annotations

from ..layers.input_layer import InputLayer
from ..layers.symbolic import KerasTensor, Node
from ..utils import tree


class FunctionalGraph:
    """The nodes from ``inputs`` to ``outputs`` (nested structures of KerasTensors)."""

    def __init__(self, inputs, outputs):
        self.inputs, self.outputs = inputs, outputs
        self.flat_inputs = tree.flatten(inputs)
        self.flat_outputs = tree.flatten(outputs)
        for value in self.flat_inputs + self.flat_outputs:
            if not isinstance(value, KerasTensor):
                raise TypeError(f"Model inputs and outputs must be KerasTensors (from keras.Input and "
                                f"layer calls on them); received {value!r}")
        for value in self.flat_inputs:
            if not isinstance(value._history[0].layer, InputLayer):
                raise ValueError(f"Model inputs must come from `keras.Input`; {value.name!r} is the "
                                 "output of a layer")
        self.nodes = _nodes_in_order(self.flat_outputs)
        self._node_set = set(self.nodes)
        self._check_reachable()
        self.layers = _keras_layer_order(self.flat_inputs, self.flat_outputs)

    def _check_reachable(self) -> None:
        known = {id(tensor) for tensor in self.flat_inputs}
        for node in self.nodes:
            if isinstance(node.layer, InputLayer) and id(node.outputs) not in known:
                raise ValueError(f"Graph disconnected: the output depends on input {node.outputs.name!r}, "
                                 "which is not among the model's inputs")

    @property
    def input_names(self) -> list[str]:
        return [tensor.name for tensor in self.flat_inputs]

    @property
    def output_names(self) -> list[str]:
        return [tensor._history[0].layer.name for tensor in self.flat_outputs]

    def run(self, flat_values: list, call):
        """Evaluate the graph: ``call(layer, args, kwargs)`` computes each node."""
        memo = {id(tensor): value for tensor, value in zip(self.flat_inputs, flat_values)}
        lookup = lambda v: memo[id(v)] if isinstance(v, KerasTensor) else v  # noqa: E731
        for node in self.nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = tree.map_structure(lookup, node.call_args)
            kwargs = tree.map_structure(lookup, node.call_kwargs)
            results = tree.flatten(call(node.layer, args, kwargs))
            for tensor, value in zip(tree.flatten(node.outputs), results):
                memo[id(tensor)] = value
        return tree.map_structure(lookup, self.outputs)

    def node_index(self, node: Node) -> int:
        """The position of ``node`` among its layer's nodes that belong to this graph."""
        return [n for n in node.layer._inbound_nodes if n in self._node_set].index(node)

    def history_of(self, tensor: KerasTensor) -> list:
        node, index = tensor._history
        return [node.layer.name, self.node_index(node), index]


def adjust_input_rank(value, reference: KerasTensor):
    """``value`` fitted to the rank of the Input it feeds, by Keras's rule, or a ValueError.

    Like Keras, a trailing axis of size 1 is squeezed (or added when the
    Input ends in one); any other difference in rank is an error, so a single
    sample without its batch axis is rejected instead of read as a batch.
    """
    expected, rank = tuple(reference.shape), len(value.shape)
    if rank == len(expected):
        return value
    if rank == len(expected) + 1 and value.shape[-1] == 1:
        return value.squeeze(-1)
    if rank == len(expected) - 1 and expected[-1] == 1:
        return value.unsqueeze(-1)
    raise ValueError(f"Invalid input shape for input with name {reference.name!r}. Expected shape "
                     f"{expected}, but input has incompatible shape {tuple(value.shape)} (rank "
                     f"{rank} instead of {len(expected)}; a single sample needs a batch axis: "
                     "x[None] or x.reshape(1, -1))")


def _nodes_in_order(outputs: list[KerasTensor]) -> list[Node]:
    """Post-order depth-first walk from the outputs: producers before consumers."""
    ordered, done, stack = [], set(), [(tensor._history[0], False) for tensor in reversed(outputs)]
    while stack:
        node, expanded = stack.pop()
        if node in done:
            continue
        if expanded:
            done.add(node)
            ordered.append(node)
            continue
        stack.append((node, True))
        stack.extend((parent, False) for parent in reversed(node.parent_nodes) if parent not in done)
    return ordered


def _keras_layer_order(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list:
    """The layers as Keras 3 lists them (so ``weights``/``get_weights`` line up with Keras's).

    Keras walks depth-first from each output, numbering layers as it first meets them and
    finishing nodes after their parents; a node's depth is its distance from the outputs
    (the largest over its consumers, shared layers taking their deepest node). Layers come
    deepest first, ties in the order they were met.
    """
    met, finished, finish_order = {}, set(), []
    for tensor in outputs:
        stack = [(tensor._history[0], False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                finished.add(node)
                finish_order.append(node)
                continue
            if node in finished:
                continue
            met.setdefault(node.layer, len(met))
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node.parent_nodes))
    node_depth, layer_depth = {}, {}
    for node in reversed(finish_order):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[node] = depth
        for parent in node.parent_nodes:
            node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    for tensor in inputs:  # an input no output depends on still belongs to the model
        layer = tensor._history[0].layer
        if layer not in layer_depth:
            layer_depth[layer], met[layer] = 0, -1
    return sorted(layer_depth, key=lambda layer: (-layer_depth[layer], met[layer]))
