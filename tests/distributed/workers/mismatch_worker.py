"""Ranks that disagree about a call get a clear error, on every rank, and can go on.

Run under mpiexec by tests/distributed/test_collectives.py; prints each error
it caught, then "mismatch ok".
"""
import ember
import ember.distributed as dist


def expect_mismatch(call):
    try:
        call()
    except dist.CollectiveMismatchError as error:
        print(f"rank {dist.get_rank()} caught: {error}", flush=True)
        return
    raise AssertionError("expected a CollectiveMismatchError")


def main():
    dist.init_process_group("mpi")
    rank = dist.get_rank()
    # Different shapes.
    expect_mismatch(lambda: dist.all_reduce(ember.ones(3 + rank)))
    # Different collectives.
    if rank == 0:
        expect_mismatch(lambda: dist.all_reduce(ember.ones(2)))
    else:
        expect_mismatch(lambda: dist.broadcast(ember.ones(2), src=0))
    # Different dtypes.
    expect_mismatch(lambda: dist.all_reduce(ember.ones(2, dtype=ember.float32 if rank else ember.float64)))
    # A message longer, then shorter, than the receiving tensor.
    for length in (4, 2):
        if rank == 0:
            dist.send(ember.ones(length), dst=1)
        else:
            expect_mismatch(lambda: dist.recv(ember.zeros(3), src=0))
    # The group still works afterwards.
    total = ember.ones(2)
    dist.all_reduce(total)
    assert total.tolist() == [2.0, 2.0], total
    print(f"rank {rank}: mismatch ok", flush=True)


if __name__ == "__main__":
    main()
