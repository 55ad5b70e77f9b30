"""Adafactor, Lamb, Muon, ScheduleFreeAdamW and MultiOptimizer against real Keras 3: several steps on matrices and vectors to 1e-5, in a compiled fit too."""
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


def _schedule_free_reference(start, gradients, rate, beta_1, beta_2, epsilon, warmup_steps, keras_torch_alias):
    """Keras's ScheduleFreeAdamW.update_step in float64 NumPy. On the torch backend ``momentum.value`` is the
    variable's own tensor, so Keras's "old" momentum is already the updated one (``keras_torch_alias``)."""
    y, z, v = start.astype("float64"), start.astype("float64"), np.zeros_like(start, "float64")
    for step, gradient in enumerate(gradients, 1):
        lr = rate * min(step / warmup_steps, 1.0) if warmup_steps else rate
        v += (gradient ** 2 - v) * (1 - beta_2)
        previous_z = z
        z = z - lr * gradient / (np.sqrt(v / (1 - beta_2 ** step)) + epsilon)
        average = (y - (1 - beta_1) * (z if keras_torch_alias else previous_z)) / beta_1
        average = (1 - 1 / step) * average + z / step
        y = (1 - beta_1) * z + beta_1 * average
    return y


@pytest.mark.parametrize("warmup_steps,beta_1", [(0, 0.9), (3, 0.8)])
def test_schedule_free_adamw_follows_keras_formula(warmup_steps, beta_1):
    """Ember follows Keras's written formula (x recovered from the momentum before the step); Keras on torch
    reads that momentum after its in-place update, which the alias variant of the reference reproduces."""
    import ember
    import torch
    start, gradients = random(3, 4), [random(3, 4) for _ in range(6)]
    variable = ember.nn.Parameter(ember.tensor(start.copy()))
    keras_variable = keras.Variable(start.copy())
    ember_opt = ember_keras.optimizers.ScheduleFreeAdamW(0.05, beta_1=beta_1, warmup_steps=warmup_steps)
    keras_opt = keras.optimizers.ScheduleFreeAdamW(0.05, beta_1=beta_1, warmup_steps=warmup_steps)
    for gradient in gradients:
        ember_opt.apply([ember.tensor(gradient)], [variable])
        keras_opt.apply([torch.tensor(gradient)], [keras_variable])
    arguments = (start, gradients, 0.05, beta_1, 0.999, 1e-8, warmup_steps)
    np.testing.assert_allclose(np.asarray(variable.detach()), _schedule_free_reference(*arguments, False),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(keras_variable.value.detach()), _schedule_free_reference(*arguments, True),
                               rtol=1e-5, atol=1e-6)
    assert set(keras_opt.get_config()) == set(ember_opt.get_config())


def test_schedule_free_adamw_compiled_fit_equals_eager():
    x, y = random(32, 5), random(32, 2)
    results = []
    for run_eagerly in (True, False):
        ember_keras.utils.set_random_seed(3)
        model = ember_keras.Sequential([ember_keras.Input((5,)), ember_keras.layers.Dense(4, activation="tanh"),
                                        ember_keras.layers.Dense(2)])
        model.compile(optimizer=ember_keras.optimizers.ScheduleFreeAdamW(0.01, warmup_steps=2), loss="mse",
                      run_eagerly=run_eagerly)
        results.append(model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"])
    np.testing.assert_allclose(results[1], results[0], rtol=1e-5)
