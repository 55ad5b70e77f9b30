"""Data-parallel training speed: 1 rank against 2 ranks, and where the time goes.

For each model (the big MLP 2048-4096-4096-10 at batch 512 per rank, and the
LeNet-5-style MNIST CNN of ``examples/mnist.py`` at batch 128 per rank) a
training step (forward, backward, SGD step) is timed in these setups:

* ``local``: no communication at all (on 2 ranks: both compute, sharing the machine);
* ``ddp``: DistributedDataParallel with 25 MB buckets, started during backward;
* ``ddp_one_bucket``: one bucket for all gradients, which can only start when
  backward is over: communication fully exposed, nothing overlapped;
* ``allreduce``: one blocking all-reduce of all the gradients, alone.

From these: samples/s (1 rank: ``batch / local``; 2 ranks: ``2 batch / ddp``),
the share of a DDP step spent communicating (``allreduce / ddp_one_bucket``)
and the share of that hidden by overlap: how much less a ``ddp`` step waits
for its all-reduce after backward than a ``ddp_one_bucket`` step does,
over the all-reduce's time alone. The cost of verifying a small
collective's arguments (on by default) is measured too.

Run: ``python benchmarks/bench_distributed.py [--steps 5] [--models mlp,cnn]``.
It launches itself under ``mpiexec`` (1 rank, then 2) and writes
``benchmarks/results/distributed.json``. Times are medians over the steps,
the slowest rank's. On a shared machine, expect noise: run it twice.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402
import ember.distributed as dist  # noqa: E402
from ember import nn  # noqa: E402
from ember.distributed import launch  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "distributed.json")


# --- the models -----------------------------------------------------------------
def big_mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(2048, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
                         nn.Linear(4096, 10))


def mnist_cnn() -> nn.Module:
    """The ``--model cnn`` of examples/mnist.py, for 28x28 images."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


MODELS = {"mlp": (big_mlp, (2048,), 512), "cnn": (mnist_cnn, (1, 28, 28), 128)}


# --- one rank's measurements ------------------------------------------------------
class Setup:
    """One way to run the training step, with its own copy of the model and optimizer."""

    def __init__(self, build, bucket_cap_mb: float | None = None):
        ember.manual_seed(0)
        net = build()
        self.model = net
        self.reducer = None
        if bucket_cap_mb is not None:
            self.model = dist.DistributedDataParallel(net, bucket_cap_mb=bucket_cap_mb)
            self.reducer = self.model._reducer
            self._time_waits()
        self.optimizer = ember.optim.SGD(list(net.parameters()), lr=1e-4)
        self.times, self.waits = [], []

    def step(self, inputs, targets, loss_function) -> None:
        start = time.perf_counter()
        self.optimizer.zero_grad()
        loss_function(self.model(inputs), targets).backward()
        self.optimizer.step()
        self.times.append(time.perf_counter() - start)

    def _time_waits(self) -> None:
        """Record how long each step waits for its all-reduce (wraps the reducer's last phase)."""
        finish = self.reducer._finish_all

        def timed():
            start = time.perf_counter()
            finish()
            self.waits.append(time.perf_counter() - start)
        self.reducer._finish_all = timed

    def summary(self) -> dict:
        """Median and best step (the first, a warm-up, left out), and the median wait."""
        times = self.times[1:]
        result = {"step": float(numpy.median(times)), "best_step": float(numpy.min(times))}
        if self.reducer is not None:
            result["wait"] = float(numpy.median(self.waits[1:]))
            result["buckets"] = len(self.reducer.buckets)
            result["started_during_backward"] = self.reducer.started_in_backward
        return result


def verify_cost(rounds: int = 20, calls: int = 100) -> dict:
    """Seconds per all_reduce of one float, with and without checking that the ranks agree.

    The two alternate in short runs and each keeps its best run, so that the
    shared machine's load bursts don't decide the comparison.
    """
    group = dist.process_group.current("bench")
    tensor, best = ember.zeros(1), {"unverified": float("inf"), "verified": float("inf")}
    for _ in range(rounds):
        for verify, name in ((False, "unverified"), (True, "verified")):
            group.verify = verify
            dist.barrier()
            start = time.perf_counter()
            for _ in range(calls):
                dist.all_reduce(tensor)
            best[name] = min(best[name], (time.perf_counter() - start) / calls)
    group.verify = True
    return {name: slowest(value) for name, value in best.items()}


def slowest(value: float) -> float:
    """The largest of the ranks' values: a step is as slow as its slowest rank."""
    tensor = ember.tensor([value], dtype=ember.float64)
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return tensor.item()


def measure(model_name: str, steps: int) -> dict:
    """Every setup's step times, taken in turns (so a burst of load on the shared machine hits
    them all alike), and the all-reduce of all the gradients alone."""
    build, shape, batch = MODELS[model_name]
    rank, size = dist.get_rank(), dist.get_world_size()
    generator = numpy.random.default_rng(rank)
    inputs = ember.from_numpy(generator.standard_normal((batch, *shape), dtype=numpy.float32))
    targets = ember.from_numpy(generator.integers(0, 10, size=batch))
    setups = {"local": Setup(build)}
    if size > 1:
        setups.update(ddp=Setup(build, 25.0), ddp_one_bucket=Setup(build, 1e6))
    count = sum(p.numel() for p in setups["local"].optimizer.param_groups[0]["params"])
    buffer, communication = ember.zeros(count), []
    loss_function = nn.CrossEntropyLoss()
    for _ in range(steps + 1):
        for setup in setups.values():
            setup.step(inputs, targets, loss_function)
        if size > 1:
            dist.barrier()
            start = time.perf_counter()
            dist.all_reduce(buffer)
            communication.append(time.perf_counter() - start)
    result = {"parameters": count}
    for name, setup in setups.items():
        result[name] = {key: slowest(value) if key in ("step", "best_step", "wait") else value
                        for key, value in setup.summary().items()}
    if size > 1:
        result["allreduce"] = slowest(float(numpy.median(communication[1:])))
    return result


def worker(args) -> None:
    dist.init_process_group("mpi")
    results = {name: measure(name, args.steps) for name in args.models.split(",")}
    if dist.get_world_size() > 1:
        results["verify_cost"] = verify_cost()
    if dist.get_rank() == 0:
        print("RESULT " + json.dumps(results), flush=True)


# --- the driver ----------------------------------------------------------------------
def run_ranks(nprocs: int, args, env: dict | None = None, cores: int | None = None) -> dict:
    cmd, environment = launch.command(nprocs, [os.path.abspath(__file__), "--worker",
                                               "--steps", str(args.steps), "--models", args.models],
                                      cores=cores or args.cores)
    environment.update(env or {})
    done = subprocess.run(cmd, env=environment, capture_output=True, text=True, timeout=3600)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"{nprocs} ranks failed:\n{done.stdout}\n{done.stderr}")


def summarize(model: str, batch: int, one: dict, one_thread: dict, two: dict) -> dict:
    """The numbers of one model; the 1-rank baseline is the faster of its thread counts."""
    local1 = min(one["local"]["step"], one_thread["local"]["step"])
    ddp, exposed = two["ddp"]["step"], two["ddp_one_bucket"]["step"]
    communication = two["allreduce"]
    return {
        "model": model, "batch_per_rank": batch, "parameters": one["parameters"],
        "samples_per_s_1_rank": batch / local1,
        "samples_per_s_2_ranks": 2 * batch / ddp,
        "scaling_efficiency": local1 / ddp,
        # The same from each setup's fastest step: what the machine gives when the load lets it.
        "scaling_efficiency_best_steps": min(one["local"]["best_step"],
                                             one_thread["local"]["best_step"]) / two["ddp"]["best_step"],
        "step_s": {"1 rank, all cores for BLAS": one["local"]["step"],
                   "1 rank, 1 BLAS thread": one_thread["local"]["step"],
                   "2 ranks local": two["local"]["step"],
                   "2 ranks ddp": ddp, "2 ranks ddp one bucket": exposed},
        "allreduce_s": communication,
        "wait_s": {"ddp": two["ddp"]["wait"], "ddp one bucket": two["ddp_one_bucket"]["wait"]},
        "communication_share_of_step": communication / exposed,
        "wait_share_of_ddp_step": two["ddp"]["wait"] / ddp,
        # What overlap saves is waiting time at the end of backward; comparing the two waits is
        # less noisy than comparing whole steps (both include the ranks' skew).
        "overlap_hidden_share": (two["ddp_one_bucket"]["wait"] - two["ddp"]["wait"]) / communication,
        "buckets": two["ddp"]["buckets"],
        "buckets_started_during_backward": two["ddp"]["started_during_backward"],
    }


def table(rows: list[dict]) -> str:
    lines = ["| model | samples/s 1 rank | samples/s 2 ranks | scaling | scaling, best steps | "
             "comm share | waiting share | overlap hides |", "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['model']} | {row['samples_per_s_1_rank']:.0f} | "
                     f"{row['samples_per_s_2_ranks']:.0f} | {row['scaling_efficiency']:.2f} | "
                     f"{row['scaling_efficiency_best_steps']:.2f} | "
                     f"{100 * row['communication_share_of_step']:.0f}% | "
                     f"{100 * row['wait_share_of_ddp_step']:.0f}% | "
                     f"{100 * row['overlap_hidden_share']:.0f}% |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--cores", type=int, default=None, help="cores to share out (default: all)")
    parser.add_argument("--async-progress", action="store_true",
                        help="also run 2 ranks with MPICH_ASYNC_PROGRESS=1 (a progress thread)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    one, one_thread, two = run_ranks(1, args), run_ranks(1, args, cores=1), run_ranks(2, args)
    report = {"machine": {"cores": os.cpu_count(), "load_average": os.getloadavg()},
              "steps": args.steps, "raw": {"1": one, "1 thread": one_thread, "2": two}}
    models = args.models.split(",")
    rows = [summarize(m, MODELS[m][2], one[m], one_thread[m], two[m]) for m in models]
    report["summary"], report["verify_cost_s"] = rows, two["verify_cost"]
    if args.async_progress:
        progress = run_ranks(2, args, {"MPICH_ASYNC_PROGRESS": "1"})
        report["async_progress"] = [summarize(m, MODELS[m][2], one[m], one_thread[m], progress[m])
                                    for m in models]
    os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
    with open(RESULTS, "w") as file:
        json.dump(report, file, indent=2)
    print(table(rows))
    cost = two["verify_cost"]
    print(f"all_reduce of 1 float: {1e6 * cost['unverified']:.1f} us, with argument check "
          f"{1e6 * cost['verified']:.1f} us")
    if args.async_progress:
        print("with MPICH_ASYNC_PROGRESS=1:\n" + table(report["async_progress"]))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
