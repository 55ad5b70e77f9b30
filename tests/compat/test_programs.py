"""Acceptance for PyTorch compatibility: whole programs run with only their imports changed.

Each program in ``programs/`` runs a few steps under PyTorch 2.13 and under Ember from the
same initial weights and data; their numbers (losses, test metrics) must agree. Where a
program samples (multinomial, Categorical), the two libraries draw differently by design, so
the draws are compared as distributions: Ember's frequencies against PyTorch's probabilities.
"""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

pytest.importorskip("torch")

_HARNESS = pathlib.Path(__file__).resolve().parent / "harness.py"
_spec = importlib.util.spec_from_file_location("compat_harness", _HARNESS)
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

# (program, steps, relative tolerance on its numbers): only programs that pass today
PROGRAMS = [
    ("mnist_cnn", 3, 1e-4),
    ("char_gpt", 8, 1e-4),
    ("mnist_rnn", 2, 1e-4),
    ("polynomial_regression", 10, 1e-4),
    ("vae", 3, 1e-4),
    ("word_language_model", 4, 1e-4),
    ("transformer_lm", 4, 1e-4),
    ("time_sequence_prediction", 2, 1e-4),
    ("dcgan", 3, 1e-4),
    ("siamese", 3, 1e-4),
    ("legendre_function", 20, 1e-4),
    ("reinforce", 3, 1e-4),
    ("per_sample_grads", 2, 1e-4),
    ("resnet_cosine", 2, 1e-4),
    ("regression_dataloader", 4, 1e-4),
    ("gru_packed", 4, 1e-4),
    ("per_sample_grads_cnn", 2, 1e-4),
    ("super_resolution", 3, 1e-4),
    ("fast_neural_style", 2, 1e-4),
    ("seq2seq_attention", 3, 1e-4),
    ("vision_transformer", 3, 1e-4),
    ("gat", 3, 1e-4),
    ("spectral_filter", 12, 1e-4),
    ("quickstart_fashion", 2, 1e-4),
    ("text_classification_embbag", 3, 1e-4),
    ("spatial_transformer", 2, 1e-4),
    ("lstm_tagger", 3, 1e-4),
    ("unet_segmentation", 2, 1e-4),
    ("transformer_classifier", 2, 1e-4),
    ("func_ensembling", 2, 1e-4),
    ("bilstm_crf", 2, 1e-4),
    ("dqn_cartpole", 3, 1e-4),
    ("pruning_lenet", 3, 1e-4),
    ("forward_mode_ad", 4, 1e-4),
    ("knowledge_distillation", 2, 1e-4),
    ("char_rnn_names", 2, 1e-4),
    ("checkpoint_resume", 2, 1e-4),
    ("parametrizations", 3, 1e-4),
    ("tensors_autograd_basics", 3, 1e-4),
    ("custom_dataset_landmarks", 2, 1e-4),
    ("nn_really", 2, 1e-4),
    ("fgsm_adversarial", 4, 1e-4),
    ("module_hooks", 3, 1e-4),
    ("custom_function_fusion", 2, 1e-4),
    ("autograd_functional", 3, 1e-4),
    ("checkpointed_transformer", 3, 1e-4),
    ("ppo_continuous", 3, 1e-4),
    ("realnvp_flow", 4, 1e-4),
    ("gp_regression", 30, 1e-4),
    ("word_embeddings_ngram", 3, 1e-4),
    ("tabular_weighted_sampler", 4, 1e-4),
]

# Programs written and checked under PyTorch that don't run under Ember yet, with the reason.
NOT_YET_PASSING: dict[str, str] = {}
NOT_YET_PASSING_STEPS: dict[str, int] = {}


@pytest.mark.parametrize("name, steps, tolerance", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_program_matches_pytorch(name, steps, tolerance):
    expected, actual = harness.run_both(name, steps)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance)


@pytest.mark.parametrize("name", sorted(NOT_YET_PASSING))
def test_not_yet_passing_still_fails(name):
    """When one of these starts to pass, move it to PROGRAMS (this test then fails)."""
    try:
        expected, actual = harness.run_both(name, NOT_YET_PASSING_STEPS[name])
    except Exception:
        return
    matches = actual.shape == expected.shape and np.allclose(actual, expected, rtol=1e-4,
                                                             atol=1e-4)
    assert not matches, f"{name} now matches PyTorch: move it to PROGRAMS"


def test_every_program_is_listed():
    listed = {name for name, _, _ in PROGRAMS} | set(NOT_YET_PASSING)
    assert {path.stem for path in harness.PROGRAMS.glob("*.py")} == listed


def test_programs_import_only_ember():
    for path in sorted(harness.PROGRAMS.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "import torch" not in source, f"{path.name} imports torch directly"


def _assert_frequencies(draws, probabilities):
    """Counts of ``draws`` agree with ``probabilities`` within 5 binomial standard errors."""
    n = len(draws)
    counts = np.bincount(draws, minlength=len(probabilities))
    assert counts.sum() == n and len(counts) == len(probabilities)
    expected = n * probabilities
    spread = 5 * np.sqrt(n * probabilities * (1 - probabilities)) + 1
    assert np.all(np.abs(counts - expected) <= spread), (counts, expected)


def _both_models(name, seed=0):
    import torch
    import ember
    programs = {library: harness.load(name, library) for library in ("torch", "ember")}
    torch.manual_seed(seed)
    torch_model = programs["torch"].make_model("cpu")
    ember.manual_seed(seed)
    ember_model = programs["ember"].make_model("cpu")
    harness.copy_weights(torch_model, ember_model)
    torch_model.eval()  # the probabilities compared are the model's, without dropout masks
    ember_model.eval()
    return programs, torch_model, ember_model


def test_char_gpt_generate_samples_like_pytorch():
    """The program's generate (top-k filter then multinomial) draws the next character with
    the probabilities PyTorch's model gives, on a batch of identical contexts."""
    import torch
    import ember
    programs, torch_model, ember_model = _both_models("char_gpt")
    context = programs["torch"].encode("First ")
    with torch.no_grad():
        logits, _ = torch_model(torch.tensor([context]))
    logits = logits[0, -1] / 0.8
    kth = torch.topk(logits, 5).values[-1]
    probabilities = torch.softmax(logits.masked_fill(logits < kth, -float("inf")), -1).numpy()
    ember.manual_seed(0)
    batch = ember.tensor([context] * 3000)
    draws = ember_model.generate(batch, max_new_tokens=1, temperature=0.8, top_k=5)[:, -1]
    draws = draws.numpy()
    assert set(np.unique(draws)) <= set(np.flatnonzero(probabilities > 0))
    _assert_frequencies(draws, probabilities.astype(float))


def test_reinforce_policy_samples_like_pytorch():
    """Categorical(policy(state)).sample() draws actions with PyTorch's policy probabilities."""
    import torch
    import ember
    programs, torch_model, ember_model = _both_models("reinforce")
    state = programs["torch"].Corridor().reset()
    with torch.no_grad():
        probabilities = torch_model(torch.from_numpy(state).unsqueeze(0))[0].double().numpy()
    ember.manual_seed(0)
    with ember.no_grad():
        m = programs["ember"].Categorical(ember_model(ember.from_numpy(state).unsqueeze(0)))
        draws = m.sample((4000,)).view(-1).numpy()
    _assert_frequencies(draws, probabilities)


def test_tabular_weighted_sampler_balances_classes():
    """The program's WeightedRandomSampler (inverse class frequencies) draws each class about
    equally often, and each example of a class about equally often."""
    import ember
    program = harness.load("tabular_weighted_sampler", "ember")
    _, y_train, _, _, _ = program.make_data(np.random.default_rng(0))
    labels = ember.from_numpy(y_train)
    sample_weights, _ = program.sample_weights_for(labels)
    sampler = program.WeightedRandomSampler(sample_weights, num_samples=6000,
                                            generator=ember.Generator().manual_seed(0))
    draws = np.array(list(sampler))
    _assert_frequencies(y_train[draws], np.full(program.N_CLASSES, 1 / program.N_CLASSES))
    weights = sample_weights.numpy().astype(float)
    _assert_frequencies(draws, weights / weights.sum())
