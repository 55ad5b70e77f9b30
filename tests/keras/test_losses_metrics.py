"""Losses against PyTorch / NumPy formulas; metrics against NumPy; Keras's reductions and weights."""
import numpy as np
import pytest
import torch

from ember import keras

losses, metrics = keras.losses, keras.metrics
rng = np.random.default_rng(5)


def value(tensor):
    return float(np.asarray(tensor.detach()))


def test_regression_losses():
    y_true, y_pred = rng.normal(size=(6, 3)).astype("float32"), rng.normal(size=(6, 3)).astype("float32")
    t, p = torch.tensor(y_true), torch.tensor(y_pred)
    assert value(losses.MeanSquaredError()(y_true, y_pred)) == pytest.approx(torch.nn.functional.mse_loss(p, t).item(), rel=1e-5)
    assert value(losses.MeanAbsoluteError()(y_true, y_pred)) == pytest.approx(torch.nn.functional.l1_loss(p, t).item(), rel=1e-5)
    assert value(losses.Huber(delta=0.5)(y_true, y_pred)) == pytest.approx(
        torch.nn.functional.huber_loss(p, t, delta=0.5).item(), rel=1e-5)
    expected = np.mean(np.log(np.cosh(y_pred - y_true)))
    assert value(losses.LogCosh()(y_true, y_pred)) == pytest.approx(expected, rel=1e-5)
    per_sample = np.asarray(losses.mse(y_true, y_pred).detach())
    np.testing.assert_allclose(per_sample, ((y_pred - y_true) ** 2).mean(-1), rtol=1e-5)


def test_reductions_and_sample_weights():
    y_true, y_pred = np.zeros((4, 1), "float32"), np.arange(4, dtype="float32").reshape(4, 1)
    weights = np.array([1.0, 0.0, 2.0, 0.5], "float32")
    per_sample = y_pred[:, 0] ** 2
    assert value(losses.MeanSquaredError()(y_true, y_pred, sample_weight=weights)) == pytest.approx(
        (per_sample * weights).sum() / 4)
    assert value(losses.MeanSquaredError(reduction="sum")(y_true, y_pred)) == pytest.approx(per_sample.sum())
    none = losses.MeanSquaredError(reduction="none")(y_true, y_pred)
    assert none.shape == (4,)
    # labels of shape (batch,) meet predictions of shape (batch, 1) without broadcasting to (b, b)
    assert value(losses.MeanSquaredError()(np.zeros(4, "float32"), y_pred)) == pytest.approx(per_sample.mean())


def test_crossentropies_match_torch():
    logits = rng.normal(size=(5, 4)).astype("float32")
    labels = np.array([0, 3, 1, 2, 3])
    one_hot = np.eye(4, dtype="float32")[labels]
    expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    probabilities = np.asarray(torch.softmax(torch.tensor(logits), -1))
    assert value(losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)) == pytest.approx(expected, rel=1e-5)
    assert value(losses.SparseCategoricalCrossentropy()(labels, probabilities)) == pytest.approx(expected, rel=1e-5)
    assert value(losses.CategoricalCrossentropy(from_logits=True)(one_hot, logits)) == pytest.approx(expected, rel=1e-5)
    assert value(losses.CategoricalCrossentropy()(one_hot, probabilities)) == pytest.approx(expected, rel=1e-5)
    smoothed = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(labels), label_smoothing=0.1).item()
    assert value(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1)(one_hot, logits)) == \
        pytest.approx(smoothed, rel=1e-5)
    sequence = rng.normal(size=(2, 3, 4)).astype("float32")
    ids = np.array([[0, 1, 2], [3, 0, 1]])
    expected = torch.nn.functional.cross_entropy(torch.tensor(sequence).permute(0, 2, 1), torch.tensor(ids)).item()
    assert value(losses.sparse_categorical_crossentropy(ids, sequence, from_logits=True).mean()) == \
        pytest.approx(expected, rel=1e-5)
    ignored = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True, ignore_class=3)
    assert np.asarray(ignored.detach())[1] == 0.0


def test_binary_crossentropy_matches_torch_and_clips():
    logits = rng.normal(size=(6, 1)).astype("float32") * 5
    targets = (rng.random(size=(6, 1)) > 0.5).astype("float32")
    expected = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(logits), torch.tensor(targets)).item()
    assert value(losses.BinaryCrossentropy(from_logits=True)(targets, logits)) == pytest.approx(expected, rel=1e-5)
    probabilities = 1 / (1 + np.exp(-logits))
    assert value(losses.BinaryCrossentropy()(targets, probabilities)) == pytest.approx(expected, rel=1e-3)
    saturated = value(losses.binary_crossentropy(np.array([[1.0]]), np.array([[0.0]])).sum())
    assert saturated == pytest.approx(-np.log(1e-7), rel=1e-3)  # Keras clips to [eps, 1 - eps]


def test_loss_identifiers_and_shape_errors():
    assert losses.get("mae") is losses.mean_absolute_error
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    loss = losses.get({"class_name": "Huber", "config": {"delta": 2.0}})
    assert loss.get_config()["delta"] == 2.0 and loss.name == "huber_loss"
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(np.eye(3), np.eye(3, dtype="float32"))


def test_accuracy_metrics():
    y_pred = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]], "float32")
    labels = np.array([1, 2, 2])
    assert float(metrics.SparseCategoricalAccuracy()(labels, y_pred)) == pytest.approx(2 / 3)
    assert float(metrics.CategoricalAccuracy()(np.eye(3)[labels], y_pred)) == pytest.approx(2 / 3)
    assert float(metrics.SparseTopKCategoricalAccuracy(k=2)(labels, y_pred)) == pytest.approx(1.0)
    assert float(metrics.TopKCategoricalAccuracy(k=1)(np.eye(3)[labels], y_pred)) == pytest.approx(2 / 3)
    binary = metrics.BinaryAccuracy()
    binary.update_state([[1], [0], [1], [1]], [[0.8], [0.4], [0.3], [0.9]])  # one value per sample
    assert float(binary.result()) == pytest.approx(0.75)
    binary.update_state([[0]], [[0.1]], sample_weight=[4.0])
    assert float(binary.result()) == pytest.approx(7 / 8)
    binary.reset_state()
    assert float(binary.result()) == 0.0


def test_regression_metrics():
    y_true, y_pred = np.array([[1.0], [2.0], [4.0]]), np.array([[1.5], [2.0], [3.0]])
    assert float(metrics.MeanAbsoluteError()(y_true, y_pred)) == pytest.approx(0.5)
    assert float(metrics.MeanSquaredError()(y_true, y_pred)) == pytest.approx((0.25 + 1) / 3)
    assert float(metrics.RootMeanSquaredError()(y_true, y_pred)) == pytest.approx(np.sqrt(1.25 / 3))


def test_precision_recall_and_confusion_counts():
    y_true = np.array([1, 1, 0, 0, 1, 0])
    y_pred = np.array([0.9, 0.2, 0.7, 0.1, 0.6, 0.4])
    assert float(metrics.Precision()(y_true, y_pred)) == pytest.approx(2 / 3)
    assert float(metrics.Recall()(y_true, y_pred)) == pytest.approx(2 / 3)
    assert float(metrics.Precision(thresholds=0.65)(y_true, y_pred)) == pytest.approx(1 / 2)
    assert float(metrics.TruePositives()(y_true, y_pred)) == 2 and float(metrics.FalseNegatives()(y_true, y_pred)) == 1
    assert float(metrics.Recall(class_id=1)(np.eye(2)[y_true], np.stack([1 - y_pred, y_pred], 1))) == pytest.approx(2 / 3)


def test_auc_matches_the_exact_area():
    y_true = (rng.random(500) > 0.5).astype("int64")
    scores = np.clip(y_true * 0.3 + rng.random(500) * 0.7, 0, 1)
    positives, negatives = scores[y_true == 1], scores[y_true == 0]
    exact = (positives[:, None] > negatives[None, :]).mean()  # Mann–Whitney
    auc = metrics.AUC(num_thresholds=1000)
    for start in range(0, 500, 100):  # accumulated over batches
        auc.update_state(y_true[start:start + 100], scores[start:start + 100])
    assert float(auc.result()) == pytest.approx(exact, abs=2e-3)
    pr = float(metrics.AUC(curve="PR", num_thresholds=1000)(y_true, scores))
    order = np.argsort(-scores)
    hits = y_true[order]
    average_precision = np.sum(np.cumsum(hits)[hits == 1] / (np.flatnonzero(hits) + 1)) / hits.sum()
    assert pr == pytest.approx(average_precision, abs=0.01)


def test_metric_identifiers():
    assert isinstance(metrics.get("AUC"), metrics.AUC) and isinstance(metrics.get("precision"), metrics.Precision)
    assert metrics.get("accuracy") is metrics.accuracy
    with pytest.raises(ValueError, match="Unknown metric"):
        metrics.get("nope")
