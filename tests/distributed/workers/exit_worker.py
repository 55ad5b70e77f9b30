"""Ranks that leave early, cleanly, or wait: the job must end promptly, and waiting must not spin.

Modes (first argument):
``exit0``: rank 1 calls ``sys.exit(0)`` at step 5 of DDP training;
``systemexit3``: rank 1 raises ``SystemExit(3)`` at step 5 (no sys.exit call for a hook to see);
``uneven_finish``: both train 5 steps, then rank 0 works 2 s longer without collectives; must succeed;
``wait_cpu``: rank 1 sleeps 3 s before a barrier; rank 0 reports the CPU time its wait used.
The group's timeout is 60 s, so ending promptly cannot come from it.
"""
import sys
import time

import ember
import ember.distributed as dist
from ember import nn


def train(rank, steps, leave=None):
    model = dist.DistributedDataParallel(nn.Sequential(nn.Linear(20, 50), nn.Tanh(), nn.Linear(50, 1)))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.01)
    for step in range(steps):
        if rank == 1 and step == 5 and leave is not None:
            leave()
        optimizer.zero_grad()
        model(ember.randn(32, 20)).pow(2).mean().backward()
        optimizer.step()
        time.sleep(0.01)


def leave_with_exit_zero():
    sys.exit(0)


def leave_with_system_exit():
    raise SystemExit(3)


def main():
    mode = sys.argv[1]
    dist.init_process_group("mpi", timeout=60.0)
    rank = dist.get_rank()
    if mode == "exit0":
        train(rank, 1000, leave_with_exit_zero)
    elif mode == "systemexit3":
        train(rank, 1000, leave_with_system_exit)
    elif mode == "uneven_finish":
        train(rank, 5)
        if rank == 0:
            time.sleep(2.0)  # e.g. writing a checkpoint while the other rank has finished
    elif mode == "wait_cpu":
        dist.barrier()
        if rank == 1:
            time.sleep(3.0)
        wall, cpu = time.monotonic(), time.process_time()
        dist.barrier()
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        print(f"rank {rank} waited {wall:.2f} s using {cpu:.2f} s of CPU", flush=True)
    print(f"rank {rank} done", flush=True)


if __name__ == "__main__":
    main()
