"""MirroredStrategy: Keras fit on 2 ranks equals plain fit on the combined batches."""
import os

import numpy


def test_strategy_fit_matches_single_process_fit(mpi, tmp_path):
    output = mpi.check(mpi.run("keras_worker.py", str(tmp_path)))
    assert output.count("keras done") == 2
    assert output.count("Epoch 1/3") == 1  # progress from rank 0 only
    saved = numpy.load(os.path.join(tmp_path, "keras.npz"))
    weights = [name for name in saved.files if name.startswith("ours_")]
    assert len(weights) == 4  # two Dense layers' kernels and biases
    for name in weights:
        numpy.testing.assert_allclose(saved[name], saved[name.replace("ours", "reference")],
                                      rtol=1e-5, atol=1e-6, err_msg=name)
    for name in ("losses", "val_losses", "evaluated"):
        numpy.testing.assert_allclose(saved[name], saved[f"expected_{name}"], rtol=1e-5, atol=1e-6,
                                      err_msg=name)
