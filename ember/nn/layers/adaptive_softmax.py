"""``AdaptiveLogSoftmaxWithLoss`` (Grave et al., "Efficient softmax approximation for GPUs"): frequent
classes get a full softmax in the head; rarer ones share a cluster entry in the head and are scored by
a smaller projection in their cluster's tail. Parameter names and shapes are PyTorch's."""
from __future__ import annotations

from collections import namedtuple

import numpy

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import tensor
from ...tensor import Tensor
from .. import functional as F
from ..containers import ModuleList, Sequential
from ..module import Module
from .linear import Linear

ASMOutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Log-probabilities of the targets (and their mean negative as the loss) for many classes.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> asm = nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs=[5, 12])
        >>> out = asm(ember.randn(4, 8), ember.tensor([0, 6, 13, 19]))
        >>> out.output.shape, out.loss.shape, asm.log_prob(ember.randn(2, 8)).shape
        ((4,), (), (2, 20))
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs, div_value: float = 4.0, head_bias: bool = False,
                 device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if (not cutoffs or cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise EmberValueError("cutoffs should be a sequence of unique, positive integers sorted in an "
                                  "increasing order, where each value is between 1 and n_classes-1")
        self.in_features, self.n_classes, self.div_value, self.head_bias = in_features, n_classes, div_value, head_bias
        self.cutoffs = cutoffs + [n_classes]
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hidden = int(in_features // (div_value ** (i + 1)))
            width = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hidden, bias=False, dtype=dtype),
                                        Linear(hidden, width, bias=False, dtype=dtype)))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for projection in self.tail:
            for layer in projection:
                layer.reset_parameters()

    def forward(self, input: Tensor, target: Tensor) -> ASMOutput:
        batched = target.ndim == 1
        if target.ndim not in (0, 1) or input.ndim != target.ndim + 1 or (batched and input.shape[0] != target.shape[0]):
            raise ShapeError(f"AdaptiveLogSoftmaxWithLoss: expected input (N, {self.in_features}) with target (N,), "
                             f"or ({self.in_features},) with a 0-d target; got {input.shape} and {target.shape}")
        x, labels = (input, target) if batched else (input.unsqueeze(0), target.reshape(1))
        classes = labels.numpy().astype(numpy.int64)
        if classes.size and (classes.min() < 0 or classes.max() >= self.n_classes):
            raise EmberValueError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                                  f"[{classes.min()}, {classes.max()}] were found. ")
        head_entry = classes.copy()  # the head column each row is scored by
        output = E.zeros(classes.shape[0], dtype=x.dtype, device=x.device)
        for i in range(self.n_clusters):
            low, high = self.cutoffs[i], self.cutoffs[i + 1]
            rows = numpy.flatnonzero((classes >= low) & (classes < high))
            if rows.size == 0:
                continue
            head_entry[rows] = self.shortlist_size + i
            picked = tensor(rows, device=x.device)
            cluster = F.log_softmax(self.tail[i](E.index_select(x, 0, picked)), dim=1)
            within = tensor(classes[rows] - low, device=x.device).unsqueeze(1)
            output = E.index_copy(output, 0, picked, E.take_along_dim(cluster, within, 1).squeeze(1))
        head = F.log_softmax(self.head(x), dim=1)
        output = output + E.take_along_dim(head, tensor(head_entry, device=x.device).unsqueeze(1), 1).squeeze(1)
        loss = (-output).mean()
        return ASMOutput(output if batched else output.squeeze(0), loss)

    def log_prob(self, input: Tensor) -> Tensor:
        """Log-probabilities of every class: ``(N, n_classes)`` (or ``(n_classes,)``)."""
        x = input if input.ndim == 2 else input.unsqueeze(0)
        head = F.log_softmax(self.head(x), dim=1)
        parts = [head[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            parts.append(F.log_softmax(self.tail[i](x), dim=1) + head[:, self.shortlist_size + i:
                                                                        self.shortlist_size + i + 1])
        result = E.cat(parts, 1)
        return result if input.ndim == 2 else result.squeeze(0)

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class of each row."""
        return E.argmax(self.log_prob(input), dim=-1)
