"""A smoke run of benchmarks/bench_export.py (every path, both batch sizes, one repeat)."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_path_runs_and_agrees():
    spec = importlib.util.spec_from_file_location("bench_export", ROOT / "benchmarks" / "bench_export.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    results = bench.main(["--repeat", "1"])  # measure() also checks each path's logits agree
    assert {"numpy module", "ember eager", "ember compiled"} <= set(results)
    assert all(set(times) == {1, 256} for times in results.values())
    assert "| ember compiled |" in bench.table(results)
