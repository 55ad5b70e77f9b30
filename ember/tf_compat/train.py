"""``tf.train``: object-based checkpoints (``Checkpoint``, ``CheckpointManager``) and their helpers.

A checkpoint holds the values of the variables reachable from the objects given to
``tf.train.Checkpoint(name=object, ...)``, each keyed by the path of attribute names that
leads to it, as TensorFlow keys them: ``model/dense_1/w/.ATTRIBUTES/VARIABLE_VALUE``.
What is walked:

- ``tf.Variable``: a value;
- ``tf.Module`` (and ``Checkpoint``): its attributes, lists, tuples and dicts of them;
- a Keras layer or model: its ``weights``, in order (``<path>/.KERAS_WEIGHTS/<i>``);
- a Keras optimizer: its step count and its per-variable state (Adam's moments…).

Restoring assigns the saved values in place. As in TensorFlow, restoration is deferred
for what does not exist yet: a variable a ``tf.Module`` creates later (on its first call)
takes its saved value when it is assigned to the attribute the checkpoint names, and an
optimizer's state is restored when the optimizer builds. ``restore`` returns a status
whose ``assert_consumed()`` says whether everything was matched.

Files: ``write(prefix)`` writes ``prefix.index`` (the keys, shapes and dtypes, JSON) and
``prefix.data-00000-of-00001`` (the values, NumPy's npz), TensorFlow's file names but not
its file format. ``save``/``CheckpointManager.save`` number the prefix and keep the
directory's ``checkpoint`` state file that ``latest_checkpoint`` reads.

Example:
    >>> import tempfile, ember as tf
    >>> class Net(tf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = tf.Variable([1.0, 2.0])
    >>> net = Net()
    >>> path = tf.train.Checkpoint(model=net).write(tempfile.mkdtemp() + "/ckpt")
    >>> [name for name, _ in tf.train.list_variables(path)]
    ['_CHECKPOINTABLE_OBJECT_GRAPH', 'model/w/.ATTRIBUTES/VARIABLE_VALUE']
    >>> other = Net(); _ = other.w.assign([0.0, 0.0])
    >>> tf.train.Checkpoint(model=other).restore(path).assert_consumed() is not None
    True
    >>> other.w.numpy().tolist()
    [1.0, 2.0]
"""
from __future__ import annotations

import json
import os
import re
import weakref

import numpy

from ..io.atomic import atomic_write
from .module import Module
from .variable import Variable

_VALUE = ".ATTRIBUTES/VARIABLE_VALUE"
_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_DATA_SUFFIX = ".data-00000-of-00001"

# object -> {attribute: saved subtree}: what a restore found no object for yet (deferred restoration)
_PENDING: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


# --- walking the objects ----------------------------------------------------------------------
def _is_keras_optimizer(item) -> bool:
    return hasattr(item, "apply_gradients") and hasattr(item, "iterations") and hasattr(item, "build")


def _is_keras_layer(item) -> bool:
    return hasattr(item, "weights") and hasattr(item, "call") and not isinstance(item, Module)


def _children(item) -> dict:
    """The named trackable children of ``item`` (attribute name or index -> object)."""
    if isinstance(item, Module):
        pairs = vars(item).items()
    elif isinstance(item, dict):
        pairs = ((str(key), value) for key, value in item.items())
    elif isinstance(item, (list, tuple)):
        pairs = ((str(index), value) for index, value in enumerate(item))
    else:
        return {}
    return {key: value for key, value in pairs if not key.startswith("_") and _trackable(value)}


def _trackable(value) -> bool:
    return isinstance(value, (Variable, Module, dict, list, tuple)) or _is_keras_layer(value) \
        or _is_keras_optimizer(value)


def _optimizer_values(optimizer) -> dict:
    values = {"iter": numpy.asarray(int(optimizer.iterations), dtype=numpy.int64)}
    if getattr(optimizer, "rule", None) is None:
        return values
    for index, variable in enumerate(optimizer.variables):
        for name, value in optimizer.rule.state.get(variable, {}).items():
            if hasattr(value, "detach"):
                values[f"state/{index}/{name}"] = numpy.array(value.detach())
    return values


def _collect(item, path: str, out: dict, seen: set) -> None:
    if id(item) in seen:
        return
    seen.add(id(item))
    if isinstance(item, Variable) and not _is_keras_layer(item):
        out[f"{path}/{_VALUE}"] = item.numpy()
    elif _is_keras_optimizer(item):
        for key, value in _optimizer_values(item).items():
            out[f"{path}/.OPTIMIZER/{key}"] = value
    elif _is_keras_layer(item):
        for index, weight in enumerate(item.weights):
            out[f"{path}/.KERAS_WEIGHTS/{index}"] = numpy.array(weight.detach() if hasattr(weight, "detach")
                                                                 else weight)
    else:
        for key, child in _children(item).items():
            _collect(child, f"{path}/{key}" if path else key, out, seen)


# --- restoring ----------------------------------------------------------------------------------
def _tree(values: dict) -> dict:
    """Flat keys (``a/b/.ATTRIBUTES/VARIABLE_VALUE``) as nested dicts; a leaf is a ("kind", payload)."""
    tree: dict = {}
    for key, value in values.items():
        if key == _GRAPH_KEY:
            continue
        for marker, kind in (("/" + _VALUE, "variable"), ("/.KERAS_WEIGHTS/", "keras"),
                             ("/.OPTIMIZER/", "optimizer")):
            if marker in key:
                head, _, tail = key.partition(marker)
                break
        node = tree
        parts = head.split("/")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if kind == "variable":
            node[parts[-1]] = ("variable", value)
        else:
            _, payload = node.setdefault(parts[-1], (kind, {}))
            payload[tail] = value
    return tree


class _Restore:
    """One restore: assigns what matches, defers the rest, counts what was matched."""

    def __init__(self):
        self.unmatched_objects: list[str] = []  # existing variables the checkpoint had no value for
        self.deferred: list = []  # (weak reference to the object, attribute): values kept for later

    def apply(self, item, subtree, path: str) -> None:
        if isinstance(subtree, tuple):
            self._leaf(item, subtree, path)
            return
        children = _children(item)
        for key, child_tree in subtree.items():
            if key in children:
                self.apply(children[key], child_tree, f"{path}/{key}" if path else key)
            elif isinstance(item, Module):  # created later: restored when it is assigned
                _PENDING.setdefault(item, {})[key] = child_tree
                self.deferred.append((weakref.ref(item), key))
        for key, child in children.items():
            if key not in subtree:
                out: dict = {}
                _collect(child, key, out, set())
                self.unmatched_objects.extend(f"{path}/{name}" for name in out)

    def _leaf(self, item, leaf, path: str) -> None:
        kind, payload = leaf
        if kind == "variable" and isinstance(item, Variable):
            item.assign(payload)
        elif kind == "keras" and _is_keras_layer(item):
            weights = item.weights
            if len(weights) != len(payload):
                raise ValueError(f"Checkpoint: {path!r} has {len(payload)} saved weights but the layer "
                                 f"has {len(weights)} (is it built?)")
            item.set_weights([payload[str(index)] for index in range(len(weights))])
        elif kind == "optimizer" and _is_keras_optimizer(item):
            if getattr(item, "rule", None) is None:
                _PENDING[item] = {"": leaf}  # restored when it builds (its first apply_gradients)
                self.deferred.append((weakref.ref(item), ""))
            else:
                _restore_optimizer(item, payload)
        else:
            raise TypeError(f"Checkpoint: cannot restore the saved {kind} {path!r} into a {type(item).__name__}")


def _restore_optimizer(optimizer, payload: dict) -> None:
    from ..autograd.grad_mode import no_grad
    optimizer.iterations = int(payload["iter"])
    for key, value in payload.items():
        if not key.startswith("state/"):
            continue
        _, index, name = key.split("/", 2)
        state = optimizer.rule.state.get(optimizer.variables[int(index)], {})
        if name in state and hasattr(state[name], "copy_"):
            with no_grad():
                state[name].copy_(_as_tensor(value, state[name]))


def _as_tensor(value, like):
    from ..ops.creation import tensor
    return tensor(numpy.asarray(value, dtype=like.dtype.name)).to(like.device)


def restore_pending(item, key: str, value) -> None:
    """Called when ``item`` (a Module) gets attribute ``key``, or (key "") an optimizer builds:
    give it the value a restore kept for it."""
    pending = _PENDING.get(item)
    if not pending or key not in pending:
        return
    subtree = pending.pop(key)
    if not pending:
        del _PENDING[item]
    if key == "":
        _restore_optimizer(item, subtree[1])
    elif _trackable(value):
        _Restore().apply(value, subtree, key)


class CheckpointLoadStatus:
    """What ``Checkpoint.restore`` matched (TensorFlow's load status)."""

    def __init__(self, checkpoint, restore: _Restore, saved_keys: list):
        self._checkpoint, self._restore, self._saved = checkpoint, restore, saved_keys

    def _still_pending(self) -> bool:
        for reference, key in self._restore.deferred:
            item = reference()
            if item is not None and key in _PENDING.get(item, {}):
                return True
        return False

    def assert_consumed(self):
        """Every saved value went to an object and every variable got a saved value."""
        self.assert_existing_objects_matched()
        if self._still_pending():
            raise AssertionError("Unresolved object in checkpoint: some saved values have no object yet "
                                 "(they are restored when the objects are created)")
        return self

    def assert_existing_objects_matched(self):
        if self._restore.unmatched_objects:
            raise AssertionError(f"Some objects had no value in the checkpoint: {self._restore.unmatched_objects}")
        return self

    def assert_nontrivial_match(self):
        if not self._saved:
            raise AssertionError("Nothing was restored from the checkpoint")
        return self

    def expect_partial(self):
        """Silence warnings about values not restored (Ember issues none)."""
        return self

    def run_restore_ops(self, session=None) -> None:
        """TensorFlow 1's graph mode: eager restoration already happened."""


class _NothingToRestore(CheckpointLoadStatus):
    def __init__(self):
        super().__init__(None, _Restore(), [])


class Checkpoint(Module):
    """``tf.train.Checkpoint(root=None, **kwargs)``: the objects to save, by name.

    ``save_counter`` counts the ``save`` calls (it is saved too); ``write``/``read`` skip it.
    """

    def __init__(self, root=None, **kwargs):
        super().__init__(name="checkpoint")
        if root is not None:
            kwargs = {"root": root, **kwargs}
        for key, value in kwargs.items():
            if not _trackable(value):
                raise ValueError(f"Checkpoint was expecting a trackable object (a Variable, Module, Keras "
                                 f"layer or optimizer) for {key!r}, got {type(value).__name__}")
            setattr(self, key, value)
        self.save_counter = Variable(0, trainable=False, name="save_counter", dtype="int64")

    # --- writing --------------------------------------------------------------------------
    def _values(self, with_counter: bool) -> dict:
        values: dict = {}
        seen = set() if with_counter else {id(self.save_counter)}
        _collect(self, "", values, seen)
        return values

    def write(self, file_prefix, options=None) -> str:
        """Write the checkpoint to ``file_prefix`` (no numbering, no state file); returns the prefix."""
        return _write(str(os.fspath(file_prefix)), self._values(with_counter=False))

    def save(self, file_prefix, options=None) -> str:
        """Number the checkpoint (``prefix-1``, ``prefix-2``…), write it and record it in the
        directory's ``checkpoint`` file; returns the path written."""
        self.save_counter.assign_add(1)
        path = _write(f"{os.fspath(file_prefix)}-{int(self.save_counter.numpy())}", self._values(with_counter=True))
        directory = os.path.dirname(path) or "."
        previous = _read_state(directory)
        _write_state(directory, path, (previous or []) + [path])
        return path

    # --- reading -----------------------------------------------------------------------------
    def read(self, save_path, options=None) -> CheckpointLoadStatus:
        """Restore from ``save_path`` as written by ``write``."""
        return self._load(save_path, with_counter=False)

    def restore(self, save_path, options=None) -> CheckpointLoadStatus:
        """Restore from ``save_path`` (``None``: nothing to restore, as for a first run)."""
        if save_path is None:
            return _NothingToRestore()
        return self._load(save_path, with_counter=True)

    def _load(self, save_path, with_counter: bool) -> CheckpointLoadStatus:
        values = _read(str(os.fspath(save_path)))
        if not with_counter:
            values.pop(f"save_counter/{_VALUE}", None)
        restore = _Restore()
        tree = _tree(values)
        if not with_counter or f"save_counter/{_VALUE}" not in values:
            tree.setdefault("save_counter", ("variable", self.save_counter.numpy()))
        restore.apply(self, tree, "")
        return CheckpointLoadStatus(self, restore, sorted(values))


# --- files ------------------------------------------------------------------------------------------
def _write(prefix: str, values: dict) -> str:
    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    arrays = {f"v{index}": value for index, value in enumerate(values.values())}
    atomic_write(prefix + _DATA_SUFFIX, lambda handle: numpy.savez(handle, **arrays))
    index = {key: {"entry": f"v{position}", "shape": list(numpy.shape(value)), "dtype": str(numpy.asarray(value).dtype)}
             for position, (key, value) in enumerate(values.items())}
    # the index last and each file replaced atomically (ember.io's rule): a crash leaves the old checkpoint
    atomic_write(prefix + ".index", lambda handle: handle.write(json.dumps(index).encode("utf-8")))
    return prefix


def _resolve(path: str) -> str:
    if os.path.isdir(path):
        latest = latest_checkpoint(path)
        if latest is None:
            raise ValueError(f"No checkpoint found in directory {path!r}")
        return latest
    if not os.path.exists(path + ".index"):
        raise FileNotFoundError(f"Unsuccessful TensorSliceReader constructor: Failed to find any matching "
                                f"files for {path}")
    return path


def _read_index(prefix: str) -> dict:
    with open(prefix + ".index", encoding="utf-8") as handle:
        return json.load(handle)


def _read(path: str) -> dict:
    prefix = _resolve(path)
    index = _read_index(prefix)
    with numpy.load(prefix + _DATA_SUFFIX) as data:
        return {key: data[entry["entry"]] for key, entry in index.items()}


def list_variables(ckpt_dir_or_file) -> list:
    """``[(key, shape), ...]`` for every value in the checkpoint, sorted by key."""
    index = _read_index(_resolve(str(os.fspath(ckpt_dir_or_file))))
    entries = [(key, entry["shape"]) for key, entry in index.items()] + [(_GRAPH_KEY, [])]
    return sorted(entries)


def load_variable(ckpt_dir_or_file, name: str) -> numpy.ndarray:
    """The saved value of ``name`` (a key from ``list_variables``)."""
    values = _read(str(os.fspath(ckpt_dir_or_file)))
    if name not in values:
        raise ValueError(f"Key {name!r} not found in checkpoint")
    return values[name]


# --- the directory's "checkpoint" state file ----------------------------------------------------------
_STATE = "checkpoint"


def _write_state(directory: str, latest: str, paths: list) -> None:
    def relative(path):
        return os.path.relpath(path, directory) if os.path.isabs(path) == os.path.isabs(directory) else path
    lines = [f'model_checkpoint_path: "{relative(latest)}"']
    lines += [f'all_model_checkpoint_paths: "{relative(path)}"' for path in paths]
    text = "\n".join(lines) + "\n"
    atomic_write(os.path.join(directory, _STATE), lambda handle: handle.write(text.encode("utf-8")))


def _read_state(directory: str):
    """The paths the state file lists (oldest first, the latest last), or None."""
    path = os.path.join(directory, _STATE)
    if not os.path.exists(path):
        return None
    latest, paths = None, []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r'\s*(model_checkpoint_path|all_model_checkpoint_paths):\s*"(.*)"', line)
            if match:
                full = match.group(2) if os.path.isabs(match.group(2)) else os.path.join(directory, match.group(2))
                if match.group(1) == "model_checkpoint_path":
                    latest = full
                elif full not in paths:
                    paths.append(full)
    if latest is not None and latest in paths:
        paths.remove(latest)
    return paths + ([latest] if latest is not None else [])


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint that ``save`` recorded in ``checkpoint_dir``, or None."""
    paths = _read_state(str(os.fspath(checkpoint_dir)))
    if not paths or not os.path.exists(paths[-1] + ".index"):
        return None
    return paths[-1]


class CheckpointManager:
    """``tf.train.CheckpointManager(checkpoint, directory, max_to_keep, checkpoint_name='ckpt')``:
    numbered saves in ``directory``, keeping the newest ``max_to_keep`` (None: all)."""

    def __init__(self, checkpoint: Checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name: str = "ckpt", step_counter=None, checkpoint_interval=None, init_fn=None):
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"max_to_keep must be positive or None, got {max_to_keep}")
        self._checkpoint = checkpoint
        self.directory = str(os.fspath(directory))
        self._max_to_keep = max_to_keep
        self._prefix = os.path.join(self.directory, checkpoint_name)
        self._checkpoints = [path for path in (_read_state(self.directory) or [])
                             if os.path.exists(path + ".index")]

    @property
    def checkpoints(self) -> list:
        """The kept checkpoints' prefixes, oldest first."""
        return list(self._checkpoints)

    @property
    def latest_checkpoint(self):
        return self._checkpoints[-1] if self._checkpoints else None

    @property
    def checkpoint(self) -> Checkpoint:
        return self._checkpoint

    def save(self, checkpoint_number=None, check_interval: bool = True, options=None) -> str:
        """Write ``<directory>/<checkpoint_name>-<n>`` (``n``: ``checkpoint_number``, else the save
        counter after this save), forget the oldest beyond ``max_to_keep``; returns the path."""
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        number = int(counter.numpy()) if checkpoint_number is None else int(checkpoint_number)
        path = _write(f"{self._prefix}-{number}", self._checkpoint._values(with_counter=True))
        if path in self._checkpoints:
            self._checkpoints.remove(path)
        self._checkpoints.append(path)
        if self._max_to_keep is not None:
            while len(self._checkpoints) > self._max_to_keep:
                old = self._checkpoints.pop(0)
                for suffix in (".index", _DATA_SUFFIX):
                    if os.path.exists(old + suffix):
                        os.remove(old + suffix)
        _write_state(self.directory, path, self._checkpoints)
        return path

    def restore_or_initialize(self):
        """Restore the latest checkpoint if there is one; returns its path (None: nothing to restore)."""
        if self.latest_checkpoint is None:
            return None
        self._checkpoint.restore(self.latest_checkpoint)
        return self.latest_checkpoint


__all__ = ["Checkpoint", "CheckpointLoadStatus", "CheckpointManager", "latest_checkpoint", "list_variables",
           "load_variable"]
