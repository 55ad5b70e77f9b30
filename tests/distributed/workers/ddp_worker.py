"""DDP on 2 ranks against one process training on the combined batch.

Usage: ddp_worker.py OUT_DIR MODE, MODE one of
  plain        one all-reduce bucket (the default 25 MB cap);
  buckets      a tiny cap: one bucket per parameter, started during backward;
  accumulate   two micro-batches per step, the first under no_sync().
Each rank starts from its own random weights (DDP must replace them with
rank 0's), trains 20 SGD steps with momentum in float64 on its half of each
combined batch, with a weight penalty computed outside the wrapped forward,
and saves its weights to OUT_DIR/rank<r>.npz. Rank 0 then trains the
reference, a plain model on the whole batch, into OUT_DIR/reference.npz.
"""
import os
import sys

import numpy

import ember
import ember.distributed as dist
from ember import nn

STEPS, BATCH, FEATURES, CLASSES = 20, 16, 8, 4


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(FEATURES, 16, dtype=ember.float64)
        self.second = nn.Linear(16, 16, dtype=ember.float64)
        self.last = nn.Linear(16, CLASSES, dtype=ember.float64)
        self.unused = nn.Linear(3, 3, dtype=ember.float64)  # not called: only the penalty reaches it

    def forward(self, x):
        return self.last(ember.tanh(self.second(ember.tanh(self.first(x)))))


def batch(step):
    generator = numpy.random.default_rng(step)
    inputs = generator.standard_normal((BATCH, FEATURES))
    targets = generator.integers(0, CLASSES, size=BATCH)
    return ember.from_numpy(inputs), ember.from_numpy(targets)


def loss_of(model, params, inputs, targets, scale=1.0):
    penalty = sum((p * p).sum() for p in params)  # outside the wrapped forward
    return nn.functional.cross_entropy(model(inputs), targets) * scale + 1e-3 * penalty


def train(model, params, parts, rank, size, no_sync=None):
    optimizer = ember.optim.SGD(params, lr=0.1, momentum=0.9)
    for step in range(STEPS):
        inputs, targets = batch(step)
        share = BATCH // size
        inputs, targets = inputs[rank * share:(rank + 1) * share], targets[rank * share:(rank + 1) * share]
        optimizer.zero_grad()
        micro = share // parts
        for part in range(parts):
            chunk = slice(part * micro, (part + 1) * micro)
            last = part == parts - 1
            context = no_sync() if (no_sync is not None and not last) else _nothing()
            with context:
                # The penalty is counted once per step, on the last micro-batch.
                loss = loss_of(model, params if last else [], inputs[chunk], targets[chunk], 1 / parts)
                loss.backward()
        optimizer.step()


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def save(path, module):
    numpy.savez(path, **{name: value.numpy() for name, value in module.state_dict().items()})


def main():
    out, mode = sys.argv[1], sys.argv[2]
    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    ember.manual_seed(rank)  # different weights on each rank until DDP broadcasts rank 0's
    net = Net()
    hooked = []  # a hook registered before wrapping must see the averaged gradient
    net.last.bias.register_hook(lambda grad: hooked.append(grad.detach().clone()))
    cap = 1e-4 if mode == "buckets" else 25
    model = dist.DistributedDataParallel(net, bucket_cap_mb=cap)
    if mode == "buckets":
        assert len(model._reducer.buckets) >= 6, len(model._reducer.buckets)
    parts = 2 if mode == "accumulate" else 1
    before = net.first.weight.detach().clone()
    train(model, list(net.parameters()), parts, rank, size,
          model.no_sync if mode == "accumulate" else None)
    assert not ember.allclose(before, net.first.weight.detach()), "training did not move the weights"
    if mode == "buckets":  # all but the unused layer's bucket travel while backward goes on
        started, total = model._reducer.started_in_backward, len(model._reducer.buckets)
        assert started == total - 1, (started, total)
    everyone = [ember.zeros(CLASSES, dtype=ember.float64) for _ in range(size)]
    dist.all_gather(everyone, hooked[-1])
    assert all(ember.equal(everyone[0], other) for other in everyone), "hook saw a local gradient"
    save(os.path.join(out, f"rank{rank}.npz"), net)
    if rank == 0:
        ember.manual_seed(0)
        reference = Net()
        train(reference, list(reference.parameters()), 1, 0, 1)
        save(os.path.join(out, "reference.npz"), reference)
    dist.barrier()
    print(f"rank {rank}: ddp {mode} done", flush=True)


if __name__ == "__main__":
    main()
