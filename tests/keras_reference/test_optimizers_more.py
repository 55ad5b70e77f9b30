"""Adafactor, Lamb and Muon against real Keras 3: several steps on matrices and vectors to 1e-5, in a compiled fit too."""
import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import random
from .test_optimizers import _run

OPTIMIZERS = {
    "adafactor": lambda o: o.Adafactor(0.05),
    "adafactor_absolute": lambda o: o.Adafactor(0.02, relative_step=False, clip_threshold=0.5, epsilon_2=1e-2),
    "adafactor_schedule": lambda o: o.Adafactor(o.schedules.ExponentialDecay(0.05, 2, 0.5)),
    "lamb": lambda o: o.Lamb(0.05),
    "lamb_clipped": lambda o: o.Lamb(0.02, beta_1=0.8, epsilon=1e-5, global_clipnorm=1.0),
    "muon": lambda o: o.Muon(0.02),
    "muon_plain": lambda o: o.Muon(0.02, nesterov=False, rms_rate=None, adam_lr_ratio=0.5, weight_decay=0.1),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_steps_match_keras(name):
    history, keras_opt, ember_opt = _run(OPTIMIZERS[name], steps=8)
    for step, (expected, actual) in enumerate(history):
        for e, a in zip(expected, actual):
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5, err_msg=f"{name}, step {step + 1}")
    assert not np.allclose(history[0][1][0], history[-1][1][0])
    assert set(keras_opt.get_config()) == set(ember_opt.get_config())
    restored = ember_keras.optimizers.deserialize(ember_keras.optimizers.serialize(ember_opt))
    assert type(restored) is type(ember_opt) and restored.get_config() == ember_opt.get_config()


@pytest.mark.parametrize("name", ["adafactor", "lamb", "muon"])
def test_compiled_fit_matches_keras(name):
    x, y = random(32, 5), random(32, 2)
    weights = [random(5, 4) * 0.5, random(4) * 0.1, random(4, 2) * 0.5, random(2) * 0.1]
    results = []
    for module in (keras, ember_keras):
        model = module.Sequential([module.Input((5,)), module.layers.Dense(4, activation="tanh"),
                                   module.layers.Dense(2)])
        model.set_weights(weights)
        model.compile(optimizer=OPTIMIZERS[name](module.optimizers), loss="mse")
        loss = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"]
        results.append((loss, model.get_weights()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-4, atol=1e-5)
    for actual, expected in zip(results[1][1], results[0][1]):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


def test_muon_chooses_adam_for_vectors_embeddings_and_excluded_layers():
    model = ember_keras.Sequential([ember_keras.Input((4,), dtype="int32"), ember_keras.layers.Embedding(10, 3),
                                    ember_keras.layers.Flatten(), ember_keras.layers.Dense(5, name="hidden"),
                                    ember_keras.layers.Dense(1, name="head")])
    optimizer = ember_keras.optimizers.Muon(exclude_layers=["head"])
    uses_adam = {variable.path: optimizer._uses_adam(variable) for variable in model.trainable_weights}
    assert uses_adam == {"embedding/embeddings": True, "hidden/kernel": False, "hidden/bias": True,
                         "head/kernel": True, "head/bias": True}


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_multi_optimizer_fit_matches_keras(run_eagerly):
    x, y = random(32, 5), random(32, 2)
    weights = [random(5, 4) * 0.5, random(4) * 0.1, random(4, 2) * 0.5, random(2) * 0.1]
    results = []
    for module in (keras, ember_keras):
        model = module.Sequential([module.Input((5,)), module.layers.Dense(4, activation="tanh", name="encoder"),
                                   module.layers.Dense(2, name="head")])
        model.set_weights(weights)
        # Keras's paths start with the model's name ('sequential/encoder/kernel'), Ember's with the layer's
        mapping = module.optimizers.OptimizerMap(module.optimizers.SGD(0.1, momentum=0.5),
                                                 {".*encoder/.*": module.optimizers.Adam(0.01)})
        model.compile(optimizer=module.optimizers.MultiOptimizer(mapping), loss="mse", run_eagerly=run_eagerly)
        loss = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"]
        results.append((loss, model.get_weights(), [type(o).__name__ for o in model.optimizer.optimizers]))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-4, atol=1e-5)
    for actual, expected in zip(results[1][1], results[0][1]):
        np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)
    assert sorted(results[1][2]) == sorted(results[0][2]) == ["Adam", "SGD"]


def test_optimizer_map_lookup_and_errors_match_keras():
    for module in (keras, ember_keras):
        sgd, adam = module.optimizers.SGD(), module.optimizers.Adam()
        mapping = module.optimizers.OptimizerMap(sgd, {"enc.*": adam})
        assert mapping["decoder/kernel"] is sgd and mapping["enc/kernel"] is adam and len(mapping) == 1
        with pytest.raises(ValueError):
            mapping["enc.*"] = module.optimizers.SGD()  # a key given twice
        mapping["encoder/.*"] = module.optimizers.RMSprop()
        with pytest.raises(ValueError, match="Multiple optimizers"):
            mapping["encoder/kernel"]  # two patterns match
        with pytest.raises(TypeError):
            module.optimizers.OptimizerMap("sgd")
        assert set(mapping.get_config()) == {"default_optimizer", "optimizer_map"}
