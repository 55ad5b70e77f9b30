"""Whole training steps compiled into one call equal eager execution.

Each test builds two identical models (same seed), trains one eagerly and
one through ``ember.function``, and compares losses, parameters, buffers and
optimizer state after every step.
"""
import numpy
import pytest

import ember
from ember import nn

from shared_models import LeNet, LSTMNet, SeedMLP, TransformerBlock, batches, buffers_of, parameters_of, train_step


def twins(make_model, make_optimizer):
    pair = []
    for _ in range(2):
        ember.manual_seed(0)
        model = make_model().double()
        pair.append((model, make_optimizer(model.parameters())))
    return pair


def compare_training(make_model, make_optimizer, data, steps, loss_fn=nn.functional.mse_loss,
                     rtol=1e-6, atol=1e-12, input_signature=None, numba=False):
    (eager_model, eager_opt), (model, opt) = twins(make_model, make_optimizer)
    eager_step = train_step(eager_model, eager_opt, loss_fn)
    compiled = ember.function(train_step(model, opt, loss_fn), input_signature=input_signature, numba=numba)
    for step in range(steps):
        x, y = next(data)
        ember.manual_seed(100 + step)
        expected = float(eager_step(x, y))
        ember.manual_seed(100 + step)
        assert float(compiled(x, y)) == pytest.approx(expected, rel=rtol, abs=atol)
    for ours, theirs in zip(parameters_of(model) + buffers_of(model),
                            parameters_of(eager_model) + buffers_of(eager_model)):
        numpy.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)
    return compiled, model, opt, eager_opt


def test_seed_mlp_100_steps_sgd_momentum_trajectories_agree():
    data = batches((8, 6), (8, 4))
    compiled, model, opt, eager_opt = compare_training(
        SeedMLP, lambda p: ember.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
        data, steps=100)
    assert compiled.trace_count == 2  # before and after the momentum buffers and .grad exist
    for param, eager_param in zip(model.parameters(), opt.param_groups[0]["params"]):
        assert opt.state[param]["momentum_buffer"] is not None


def test_gradients_and_optimizer_state_are_written_back():
    data = batches((8, 6), (8, 4))
    _, model, opt, eager_opt = compare_training(
        SeedMLP, lambda p: ember.optim.SGD(p, lr=0.1, momentum=0.5), data, steps=3)
    eager_params = list(eager_opt.param_groups[0]["params"])
    for param, eager_param in zip(model.parameters(), eager_params):
        numpy.testing.assert_allclose(numpy.array(param.grad), numpy.array(eager_param.grad), rtol=1e-9)
        numpy.testing.assert_allclose(numpy.array(opt.state[param]["momentum_buffer"]),
                                      numpy.array(eager_opt.state[eager_param]["momentum_buffer"]), rtol=1e-9)


def test_lenet_with_batchnorm_and_dropout_matches_under_one_seed():
    data = batches((5, 1, 8, 8), (5, 4))
    _, model, _, _ = compare_training(LeNet, lambda p: ember.optim.SGD(p, lr=0.05, momentum=0.9), data, steps=4)
    running_mean = model.features[1].running_mean
    assert float(abs(running_mean).sum()) > 0  # the running statistics really moved
    assert int(model.features[1].num_batches_tracked) == 4


def test_lstm_training_step():
    compare_training(LSTMNet, lambda p: ember.optim.SGD(p, lr=0.1), batches((4, 6, 3), (4, 2)), steps=3)


def test_transformer_block_training_step():
    compare_training(TransformerBlock, lambda p: ember.optim.SGD(p, lr=0.05),
                     batches((3, 5, 8), (3, 3)), steps=2)


def test_adam_training_step():
    compare_training(SeedMLP, lambda p: ember.optim.Adam(p, lr=0.01), batches((8, 6), (8, 4)), steps=3)


def test_optimizer_state_created_inside_the_first_compiled_call_stays_per_parameter():
    """Adam's lazily created state must not be merged across parameters by the passes."""
    compare_training(SeedMLP, lambda p: ember.optim.Adam(p, lr=0.01), batches((8, 6), (8, 4)), steps=4)


def test_cross_entropy_training_step():
    compare_training(SeedMLP, lambda p: ember.optim.SGD(p, lr=0.1), batches((8, 6), 4), steps=3,
                     loss_fn=nn.functional.cross_entropy)


def test_float32_training_matches_to_float32_tolerance():
    pair = []
    for _ in range(2):
        ember.manual_seed(0)
        model = SeedMLP()
        pair.append((model, ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)))
    (eager_model, eager_opt), (model, opt) = pair
    eager_step = train_step(eager_model, eager_opt, nn.functional.mse_loss)
    compiled = ember.function(train_step(model, opt, nn.functional.mse_loss))
    data = batches((8, 6), (8, 4), dtype=numpy.float32)
    for _ in range(20):
        x, y = next(data)
        assert float(compiled(x, y)) == pytest.approx(float(eager_step(x, y)), rel=1e-5)
    for ours, theirs in zip(parameters_of(model), parameters_of(eager_model)):
        numpy.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_one_trace_serves_batch_sizes_1_7_and_128():
    spec = [ember.TensorSpec((None, 6), ember.float64), ember.TensorSpec((None, 4), ember.float64)]
    (eager_model, eager_opt), (model, opt) = twins(SeedMLP, lambda p: ember.optim.SGD(p, lr=0.05))
    eager_step = train_step(eager_model, eager_opt, nn.functional.mse_loss)
    compiled = ember.function(train_step(model, opt, nn.functional.mse_loss), input_signature=spec)
    rng = numpy.random.default_rng(1)
    for batch in (3, 1, 7, 128):
        x, y = ember.tensor(rng.standard_normal((batch, 6))), ember.tensor(rng.standard_normal((batch, 4)))
        assert float(compiled(x, y)) == pytest.approx(float(eager_step(x, y)), rel=1e-9)
    assert compiled.trace_count == 2  # the first call found no .grad yet; batch sizes never retrace
    forward = ember.function(lambda x: model(x), input_signature=spec[:1])
    for batch in (1, 7, 128):
        assert forward(ember.ones(batch, 6, dtype=ember.float64)).shape == (batch, 4)
    assert forward.trace_count == 1
    assert "batch" in str(forward.graph(ember.ones(2, 6, dtype=ember.float64)))


def test_polymorphic_lenet_and_lstm():
    for make, shape, target in ((LeNet, (1, 8, 8), 4), (LSTMNet, (6, 3), 2)):
        spec = [ember.TensorSpec((None,) + shape), ember.TensorSpec((None, target))]
        (eager_model, eager_opt), (model, opt) = twins(make, lambda p: ember.optim.SGD(p, lr=0.05))
        eager_step = train_step(eager_model, eager_opt, nn.functional.mse_loss)
        compiled = ember.function(train_step(model, opt, nn.functional.mse_loss), input_signature=spec)
        rng = numpy.random.default_rng(2)
        for batch in (4, 7, 3):
            x = ember.tensor(rng.standard_normal((batch,) + shape))
            y = ember.tensor(rng.standard_normal((batch, target)))
            ember.manual_seed(batch)
            expected = float(eager_step(x, y))
            ember.manual_seed(batch)
            assert float(compiled(x, y)) == pytest.approx(expected, rel=1e-9)
        assert compiled.trace_count == 2


def test_eval_mode_and_train_mode_are_separate_graphs():
    ember.manual_seed(0)
    model = LeNet().double()
    forward = ember.function(lambda x: model(x))
    x = ember.ones(2, 1, 8, 8, dtype=ember.float64)
    model.eval()
    first = numpy.array(forward(x))
    numpy.testing.assert_array_equal(numpy.array(forward(x)), first)  # no dropout, no stat updates
    model.train()
    forward(x)
    assert forward.trace_count == 2
    numpy.testing.assert_allclose(numpy.array(model.eval()(x).detach()), numpy.array(model(x).detach()))


def test_in_place_updates_of_closed_over_tensors_are_written_back():
    counter = ember.zeros(3, dtype=ember.float64)
    weight = ember.ones(3, dtype=ember.float64, requires_grad=True)

    @ember.function
    def f(x):
        counter.add_(x)
        with ember.no_grad():
            weight.mul_(2.0)
        return (weight * x).sum()
    x = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)
    assert float(f(x)) == 12.0 and float(f(x)) == 24.0
    numpy.testing.assert_array_equal(numpy.array(counter), [2.0, 4.0, 6.0])
    numpy.testing.assert_array_equal(numpy.array(weight.detach()), [4.0, 4.0, 4.0])


def test_parameters_are_inputs_not_constants():
    ember.manual_seed(0)
    model = SeedMLP().double()
    forward = ember.function(lambda x: model(x))
    x = ember.ones(2, 6, dtype=ember.float64)
    before = numpy.array(forward(x))
    with ember.no_grad():
        for param in model.parameters():
            param.mul_(0.5)
    after = numpy.array(forward(x))
    numpy.testing.assert_allclose(after, numpy.array(model(x).detach()))
    assert not numpy.allclose(before, after) and forward.trace_count == 1
    graph = forward.graph(x)
    assert len(graph.inputs) == 5 and not any(c.data.size > 1 for c in graph.constants)


class MNISTMLP(nn.Module):
    """The MNIST MLP's shape (784-256-128-10), narrowed for a fast test."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(),
                                 nn.Linear(16, 10))

    def forward(self, x):
        return self.net(x)


@pytest.mark.parametrize("make, shape, target, loss_fn", [
    (MNISTMLP, (16, 8, 8), 10, nn.functional.cross_entropy),
    (LeNet, (4, 1, 8, 8), (4, 4), nn.functional.mse_loss),
    (LSTMNet, (3, 5, 3), (3, 2), nn.functional.mse_loss),
    (TransformerBlock, (2, 4, 8), (2, 3), nn.functional.mse_loss),
], ids=["mnist-mlp", "lenet-bn-dropout", "lstm", "transformer"])
def test_100_step_trajectories_agree(make, shape, target, loss_fn):
    compare_training(make, lambda p: ember.optim.SGD(p, lr=0.02, momentum=0.9), batches(shape, target, seed=5),
                     steps=100, loss_fn=loss_fn)


def test_equal_state_arrays_created_while_tracing_stay_separate():
    from ember.keras.optimizers.rules import KerasAdam
    a, b = nn.Parameter(ember.ones(2)), nn.Parameter(ember.ones(3))
    opt = KerasAdam([a, b], lr=0.1)

    @ember.function
    def step():
        opt.zero_grad()
        ((a * a).sum() + (b * b).sum()).backward()
        opt.step()
        return a.sum()

    for _ in range(3):
        step()
    assert opt.state[a]["step"]._data is not opt.state[b]["step"]._data
    assert [float(s["step"]._data) for s in opt.state.values()] == [3.0, 3.0]
