"""DDP training in which rank 1 fails at step 5, in the way asked.

Modes (first argument): ``raise`` (an uncaught exception), ``exit`` (sys.exit(3)),
``kill`` (SIGKILL to itself), ``hang`` (stops calling collectives; the others'
timeout, 3 s here, must end the job). The job must end non-zero quickly.
"""
import os
import signal
import sys
import time

import ember
import ember.distributed as dist
from ember import nn


def fail(mode):
    if mode == "raise":
        raise RuntimeError("rank 1 failed on purpose")
    if mode == "exit":
        sys.exit(3)
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "hang":
        time.sleep(600)


def main():
    mode = sys.argv[1]
    dist.init_process_group("mpi", timeout=3.0)
    rank = dist.get_rank()
    model = dist.DistributedDataParallel(nn.Sequential(nn.Linear(20, 50), nn.Tanh(), nn.Linear(50, 1)))
    optimizer = ember.optim.SGD(model.parameters(), lr=0.01)
    for step in range(1000):
        if rank == 1 and step == 5:
            fail(mode)
        optimizer.zero_grad()
        model(ember.randn(32, 20)).pow(2).mean().backward()
        optimizer.step()
        time.sleep(0.01)
    print("finished without failing", flush=True)


if __name__ == "__main__":
    main()
