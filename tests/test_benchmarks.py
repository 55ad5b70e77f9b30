"""A smoke test of benchmarks/bench_core.py's machinery (the real run is by hand)."""
import importlib.util
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_bench():
    path = ROOT / "benchmarks" / "bench_core.py"
    spec = importlib.util.spec_from_file_location("bench_core", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_race_and_table():
    bench = load_bench()
    calls = {"ember": 0, "torch": 0}

    def contender(name):
        def call():
            calls[name] += 1
        return call

    times = bench.race({name: contender(name) for name in calls}, number=5, rounds=3)
    assert calls == {"ember": 16, "torch": 16}  # one warm-up call, then 3 rounds of 5
    assert 0 < times["ember"]["min"] <= times["ember"]["median"]
    row = bench.row("noop", "torch", times, "<= 1.5x torch", True, 1)
    table = bench.table([row])
    assert "| noop |" in table and "met |" in table


def test_every_case_runs_once():
    bench = load_bench()
    cases = [*bench.small_op_cases(True), *bench.chain_case(True)]
    assert len(cases) == 9
    for case in cases:
        assert "ember" in case.contenders and case.reference in case.contenders
        for function in case.contenders.values():
            function()


def test_bench_eager_quick_rows(capsys):
    """bench_eager's machinery on two cheap rows at one thread (its full run is by hand)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("bench_eager", ROOT / "benchmarks" / "bench_eager.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    results = bench.main(["--quick", "--rows", "W1", "chain", "--threads", "1"])
    assert [result["row"] for result in results] == ["W1", "chain"]
    for result in results:
        assert 0 < result["modes"]["1"]["ember"] < 100  # a ratio of two measured times
    printed = capsys.readouterr().out
    assert "| W1: seed MLP" in printed and "| chain: 20-op" in printed
