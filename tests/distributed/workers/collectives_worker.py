"""Every collective on every rank, checked against NumPy computing the same thing.

Each rank's input is drawn from a generator seeded by its rank, so every rank
can also draw all the others' inputs and compute the expected result alone.
Run under mpiexec by tests/distributed/test_collectives.py; prints one
"collectives ok" line per rank.
"""
import numpy

import ember
import ember.distributed as dist

DTYPES = ("float32", "float64", "float16", "int32", "int64", "uint8", "bool")
SHAPES = ((), (5,), (3, 4), (2, 3, 4))
REDUCTIONS = {"SUM": numpy.sum, "PRODUCT": numpy.prod, "MIN": numpy.min, "MAX": numpy.max,
              "AVG": numpy.mean}


def draw(rank, shape, dtype, salt=0):
    """Rank ``rank``'s input: small values, so sums and products stay exact."""
    generator = numpy.random.default_rng(1000 * rank + salt)
    if dtype == "bool":
        return generator.integers(0, 2, size=shape).astype(bool)
    low = 1 if dtype != "uint8" else 0
    return generator.integers(low, 4, size=shape).astype(dtype)


def as_input(array, contiguous):
    """An Ember tensor holding ``array``; when asked, a non-contiguous view of a bigger one."""
    if contiguous or array.ndim == 0:
        return ember.from_numpy(array.copy())
    bigger = numpy.zeros(array.shape[:-1] + (array.shape[-1] * 2,), dtype=array.dtype)
    bigger[..., ::2] = array
    view = ember.from_numpy(bigger)[..., ::2]
    assert not view._data.flags.c_contiguous
    return view


def expected_reduction(name, arrays, dtype):
    stacked = numpy.stack(arrays)
    if dtype == "bool":  # what PyTorch gives: SUM/MAX are "any", PRODUCT/MIN are "all"
        return stacked.any(0) if name in ("SUM", "MAX") else stacked.all(0)
    return REDUCTIONS[name](stacked, axis=0).astype(dtype)


def close(actual, expected, dtype):
    tolerance = 1e-3 if dtype == "float16" else 1e-6
    if numpy.dtype(dtype).kind == "f":
        return numpy.allclose(actual, expected, rtol=tolerance, atol=tolerance)
    return numpy.array_equal(actual, expected)


def assert_close(actual, expected, dtype, what):
    assert close(numpy.asarray(actual), expected, dtype), f"{what}: {actual} != {expected}"


def check_all_reduce(rank, size, shape, dtype, contiguous, async_op):
    for name in REDUCTIONS:
        if name == "AVG" and dtype not in ("float16", "float32", "float64"):
            continue
        tensor = as_input(draw(rank, shape, dtype), contiguous)
        work = dist.all_reduce(tensor, op=getattr(dist.ReduceOp, name), async_op=async_op)
        if async_op:
            assert work.wait() and work.is_completed()
        expected = expected_reduction(name, [draw(r, shape, dtype) for r in range(size)], dtype)
        assert_close(tensor._data, expected, dtype, f"all_reduce {name} {dtype} {shape}")


def check_broadcast(rank, size, shape, dtype, contiguous, async_op):
    source = size - 1
    tensor = as_input(draw(rank, shape, dtype), contiguous)
    work = dist.broadcast(tensor, src=source, async_op=async_op)
    if async_op:
        work.wait()
    assert_close(tensor._data, draw(source, shape, dtype), dtype, f"broadcast {dtype} {shape}")


def check_all_gather(rank, size, shape, dtype, contiguous, async_op):
    outputs = [as_input(numpy.zeros(shape, dtype), contiguous) for _ in range(size)]
    work = dist.all_gather(outputs, as_input(draw(rank, shape, dtype), contiguous),
                           async_op=async_op)
    if async_op:
        work.wait()
    for source, output in enumerate(outputs):
        assert_close(output._data, draw(source, shape, dtype), dtype, f"all_gather {dtype} {shape}")


def check_reduce_scatter(rank, size, shape, dtype, contiguous, async_op):
    inputs = [as_input(draw(rank, shape, dtype, salt=part), contiguous) for part in range(size)]
    output = as_input(numpy.zeros(shape, dtype), contiguous)
    work = dist.reduce_scatter(output, inputs, op=dist.ReduceOp.SUM, async_op=async_op)
    if async_op:
        work.wait()
    expected = expected_reduction("SUM", [draw(r, shape, dtype, salt=rank) for r in range(size)],
                                  dtype)
    assert_close(output._data, expected, dtype, f"reduce_scatter {dtype} {shape}")


def check_gather_scatter(rank, size, shape, dtype, contiguous, async_op):
    root = 0
    mine = as_input(draw(rank, shape, dtype), contiguous)
    parts = [as_input(numpy.zeros(shape, dtype), contiguous) for _ in range(size)] if rank == root else None
    work = dist.gather(mine, parts, dst=root, async_op=async_op)
    if async_op:
        work.wait()
    if rank == root:
        for source, part in enumerate(parts):
            assert_close(part._data, draw(source, shape, dtype), dtype, f"gather {dtype} {shape}")
    chunks = [as_input(draw(r, shape, dtype, salt=7), contiguous) for r in range(size)] if rank == root else None
    received = as_input(numpy.zeros(shape, dtype), contiguous)
    work = dist.scatter(received, chunks, src=root, async_op=async_op)
    if async_op:
        work.wait()
    assert_close(received._data, draw(rank, shape, dtype, salt=7), dtype, f"scatter {dtype} {shape}")


def check_point_to_point(rank, size, shape, dtype, contiguous):
    right, left = (rank + 1) % size, (rank - 1) % size
    sending = dist.isend(as_input(draw(rank, shape, dtype), contiguous), dst=right, tag=3)
    box = as_input(numpy.zeros(shape, dtype), contiguous)
    assert dist.recv(box, src=left, tag=3) == left
    sending.wait()
    assert_close(box._data, draw(left, shape, dtype), dtype, f"send/recv {dtype} {shape}")


def main():
    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    checks = (check_all_reduce, check_broadcast, check_all_gather, check_reduce_scatter,
              check_gather_scatter)
    count = 0
    for dtype in DTYPES:
        for shape in SHAPES:
            for contiguous in (True, False):
                for async_op in (False, True):
                    for check in checks:
                        check(rank, size, shape, dtype, contiguous, async_op)
                        count += 1
                check_point_to_point(rank, size, shape, dtype, contiguous)
    dist.barrier()
    print(f"rank {rank}: collectives ok ({count} checks)", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
