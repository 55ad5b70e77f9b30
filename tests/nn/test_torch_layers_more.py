"""The torch.nn layers and torch.nn.functional functions added in session 5, each run beside
PyTorch 2.13 on the same inputs (and weights): forward values and input gradients agree."""
import numpy
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F

RNG = numpy.random.default_rng(0)


def both(array, grad=True):
    array = numpy.asarray(array)
    floating = array.dtype.kind == "f"
    return (ember.tensor(array, requires_grad=grad and floating),
            torch.tensor(array, requires_grad=grad and floating))


def check(mine, theirs, inputs=(), rtol=1e-5, atol=1e-6):
    """Same forward values; then the same gradients of sum(out * w) w.r.t. the float inputs."""
    numpy.testing.assert_allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)
    if not inputs:
        return
    weights = RNG.standard_normal(tuple(theirs.shape))
    (mine * ember.tensor(weights, dtype=mine.dtype)).sum().backward()
    (theirs * torch.tensor(weights, dtype=theirs.dtype)).sum().backward()
    for e, t in inputs:
        numpy.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


def scores(*shape):
    return RNG.standard_normal(shape)


# --- losses --------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_soft_margin_and_multilabel_soft_margin(reduction):
    x = scores(4, 3)
    y = numpy.where(RNG.random((4, 3)) < 0.5, -1.0, 1.0)
    (ex, tx), (ey, ty) = both(x), both(y, grad=False)
    check(nn.SoftMarginLoss(reduction=reduction)(ex, ey), torch.nn.SoftMarginLoss(reduction=reduction)(tx, ty),
          [(ex, tx)])
    (ex, tx), (ey, ty) = both(x), both((y > 0).astype(float), grad=False)
    weight = numpy.array([0.5, 1.0, 2.0])
    check(nn.MultiLabelSoftMarginLoss(ember.tensor(weight), reduction=reduction)(ex, ey),
          torch.nn.MultiLabelSoftMarginLoss(torch.tensor(weight), reduction=reduction)(tx, ty), [(ex, tx)])


@pytest.mark.parametrize("p,margin,weighted", [(1, 1.0, False), (2, 0.5, True), (1, 2.0, True)])
def test_multi_margin_loss(p, margin, weighted):
    x, labels = scores(5, 4), RNG.integers(0, 4, 5)
    weight = RNG.random(4) + 0.5 if weighted else None
    (ex, tx), (ey, ty) = both(x), both(labels)
    mine = nn.MultiMarginLoss(p, margin, None if weight is None else ember.tensor(weight))(ex, ey)
    theirs = torch.nn.MultiMarginLoss(p, margin, None if weight is None else torch.tensor(weight))(tx, ty)
    check(mine, theirs, [(ex, tx)])
    (ex, tx), (ey, ty) = both(x[0]), both(labels[0])
    check(F.multi_margin_loss(ex, ey, reduction="none"), torch.nn.functional.multi_margin_loss(tx, ty, reduction="none"),
          [(ex, tx)])


def test_multilabel_margin_loss():
    x = scores(3, 5)
    target = numpy.array([[3, 0, -1, 1, 2], [1, 1, 4, -1, -1], [-1, 2, 3, 0, 0]])
    (ex, tx), (ey, ty) = both(x), both(target)
    for reduction in ("mean", "none"):
        ex.grad = None
        tx.grad = None
        check(nn.MultiLabelMarginLoss(reduction=reduction)(ex, ey),
              torch.nn.MultiLabelMarginLoss(reduction=reduction)(tx, ty), [(ex, tx)])


def test_cosine_and_hinge_embedding_losses():
    a, b = scores(6, 3), scores(6, 3)
    y = numpy.array([1, -1, 1, -1, -1, 1])
    (ea, ta), (eb, tb), (ey, ty) = both(a), both(b), both(y)
    check(nn.CosineEmbeddingLoss(margin=0.2)(ea, eb, ey), torch.nn.CosineEmbeddingLoss(margin=0.2)(ta, tb, ty),
          [(ea, ta), (eb, tb)])
    (ea, ta), (eb, tb) = both(a[0]), both(b[0])
    check(F.cosine_embedding_loss(ea, eb, ember.tensor(-1)), torch.nn.functional.cosine_embedding_loss(
        ta, tb, torch.tensor(-1)), [(ea, ta), (eb, tb)])
    x = scores(6)
    (ex, tx) = both(x)
    check(nn.HingeEmbeddingLoss(margin=0.5, reduction="sum")(ex, ey),
          torch.nn.HingeEmbeddingLoss(margin=0.5, reduction="sum")(tx, ty), [(ex, tx)])


@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance_loss(swap):
    a, p, n = scores(4, 3), scores(4, 3), scores(4, 3)
    (ea, ta), (ep, tp), (en, tn) = both(a), both(p), both(n)
    check(nn.TripletMarginWithDistanceLoss(swap=swap, margin=2.0)(ea, ep, en),
          torch.nn.TripletMarginWithDistanceLoss(swap=swap, margin=2.0)(ta, tp, tn), [(ea, ta), (ep, tp), (en, tn)])
    mine = nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1 - F.cosine_similarity(x, y))
    theirs = torch.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda x, y: 1 - torch.nn.functional.cosine_similarity(x, y))
    ea.grad = ep.grad = en.grad = None
    ta.grad = tp.grad = tn.grad = None
    check(mine(ea, ep, en), theirs(ta, tp, tn), [(ea, ta), (ep, tp), (en, tn)])


# --- activations, dropout, shuffles --------------------------------------------------------
def test_shrinks_rrelu_softmax2d_channel_shuffle():
    x = scores(2, 4, 3, 3)
    for mine, theirs in [(nn.Hardshrink(0.3), torch.nn.Hardshrink(0.3)), (nn.Softshrink(0.4), torch.nn.Softshrink(0.4)),
                         (nn.RReLU(0.1, 0.4).eval(), torch.nn.RReLU(0.1, 0.4).eval()),
                         (nn.Softmax2d(), torch.nn.Softmax2d()), (nn.ChannelShuffle(2), torch.nn.ChannelShuffle(2))]:
        ex, tx = both(x)
        check(mine(ex), theirs(tx), [(ex, tx)])
    assert repr(nn.ChannelShuffle(2)) == repr(torch.nn.ChannelShuffle(2))


def test_rrelu_training_draws_slopes_in_range():
    x = -ember.ones(1000)
    y = nn.RReLU(0.1, 0.3)(x)
    slopes = (-y).numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03


def test_alpha_dropout_keeps_selu_statistics_and_matches_torch_formula():
    x = ember.randn(200000, generator=ember.Generator().manual_seed(1))
    y = nn.AlphaDropout(0.3)(x)
    assert abs(float(y.mean())) < 0.02 and abs(float(y.std()) - 1) < 0.02
    # PyTorch's affine map: kept x -> a*x + b, dropped -> a*(-alpha') + b
    alpha, p = 1.7580993408473766, 0.3
    a = (1 / ((alpha ** 2 * p + 1) * (1 - p))) ** 0.5
    b = alpha * a * p
    kept = ~numpy.isclose(y.numpy(), -alpha * a + b, rtol=0, atol=1e-6)
    assert abs(kept.mean() - 0.7) < 0.01
    numpy.testing.assert_allclose(y.numpy()[kept], a * x.numpy()[kept] + b, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(y.numpy()[~kept], -alpha * a + b, rtol=1e-6)
    assert nn.AlphaDropout(0.3).eval()(x) is x
    z = nn.FeatureAlphaDropout(0.5)(ember.randn(6, 5, 7))
    a = (1 / ((alpha ** 2 * 0.5 + 1) * 0.5)) ** 0.5
    dropped = numpy.isclose(z.numpy(), -alpha * a + alpha * a * 0.5, rtol=0, atol=1e-6)
    assert dropped.any()
    assert (dropped.all(-1) | ~dropped.any(-1)).all()  # whole channels at once


# --- pooling, unpooling, normalisation -----------------------------------------------------
@pytest.mark.parametrize("norm_type", [1, 2, 3.5])
def test_lp_pool(norm_type):
    x = numpy.abs(scores(2, 3, 9)) + 0.1
    ex, tx = both(x)
    check(nn.LPPool1d(norm_type, 3, 2)(ex), torch.nn.LPPool1d(norm_type, 3, 2)(tx), [(ex, tx)])
    x = numpy.abs(scores(2, 3, 6, 5)) + 0.1
    ex, tx = both(x)
    check(nn.LPPool2d(norm_type, (2, 3), ceil_mode=True)(ex), torch.nn.LPPool2d(norm_type, (2, 3), ceil_mode=True)(tx),
          [(ex, tx)])


def test_max_unpool_inverts_max_pool():
    x = scores(2, 3, 8)
    tx = torch.tensor(x)
    pooled, indices = torch.nn.functional.max_pool1d(tx, 2, return_indices=True)
    ep, tp = both(pooled.numpy())
    check(nn.MaxUnpool1d(2)(ep, ember.tensor(indices.numpy())), torch.nn.MaxUnpool1d(2)(tp, indices), [(ep, tp)])
    x = scores(2, 3, 6, 7)
    pooled, indices = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    ep, tp = both(pooled.numpy())
    mine = nn.MaxUnpool2d(3, 2, 1)(ep, ember.tensor(indices.numpy()), output_size=(6, 7))
    check(mine, torch.nn.MaxUnpool2d(3, 2, 1)(tp, indices, output_size=(6, 7)), [(ep, tp)])


@pytest.mark.parametrize("shape,size", [((2, 5, 4), 3), ((2, 6, 3, 4), 2), ((1, 4, 2, 2, 3), 5)])
def test_local_response_norm(shape, size):
    ex, tx = both(scores(*shape))
    check(nn.LocalResponseNorm(size, alpha=0.5, beta=0.6, k=1.5)(ex),
          torch.nn.LocalResponseNorm(size, alpha=0.5, beta=0.6, k=1.5)(tx), [(ex, tx)])


def test_sync_batch_norm_is_batch_norm_in_one_process():
    x = scores(4, 3, 2, 5).astype(numpy.float32)
    ex, tx = both(x)
    mine, theirs = nn.SyncBatchNorm(3), torch.nn.BatchNorm2d(3)
    check(mine(ex), theirs(tx), [(ex, tx)])
    numpy.testing.assert_allclose(mine.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-5)
    model = nn.Sequential(nn.Conv2d(3, 3, 1), nn.BatchNorm2d(3))
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(converted[1], nn.SyncBatchNorm) and converted[1].weight is model[1].weight


# --- embedding bag ---------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_against_torch(mode):
    weight = scores(10, 3)
    indices = numpy.array([1, 2, 4, 5, 4, 3, 2, 9])
    offsets = numpy.array([0, 4, 4, 6])  # bag 1 is empty
    ew, tw = both(weight)
    mine = F.embedding_bag(ember.tensor(indices), ew, ember.tensor(offsets), mode=mode, padding_idx=2)
    theirs = torch.nn.functional.embedding_bag(torch.tensor(indices), tw, torch.tensor(offsets), mode=mode,
                                               padding_idx=2)
    check(mine, theirs, [(ew, tw)])
    layer = nn.EmbeddingBag(10, 3, mode=mode, _weight=ember.tensor(weight))
    reference = torch.nn.EmbeddingBag(10, 3, mode=mode, _weight=torch.tensor(weight))
    batch = numpy.array([[1, 2, 3], [4, 4, 0]])
    check(layer(ember.tensor(batch)), reference(torch.tensor(batch)))


def test_embedding_bag_per_sample_weights_and_last_offset():
    weight, indices = scores(6, 2), numpy.array([0, 1, 2, 5, 3])
    per_sample = numpy.array([0.5, 1.0, 2.0, -1.0, 3.0])
    ew, tw = both(weight)
    mine = F.embedding_bag(ember.tensor(indices), ew, ember.tensor([0, 2, 5]), mode="sum",
                           per_sample_weights=ember.tensor(per_sample), include_last_offset=True)
    theirs = torch.nn.functional.embedding_bag(torch.tensor(indices), tw, torch.tensor([0, 2, 5]), mode="sum",
                                               per_sample_weights=torch.tensor(per_sample), include_last_offset=True)
    check(mine, theirs, [(ew, tw)])


# --- functional extras ---------------------------------------------------------------------
def test_pdist_gumbel_and_inplace_activations():
    ex, tx = both(scores(5, 3))
    check(F.pdist(ex), torch.nn.functional.pdist(tx), [(ex, tx)])
    ex, tx = both(scores(4, 3))
    check(F.pdist(ex, 1.0), torch.nn.functional.pdist(tx, 1.0), [(ex, tx)])
    sample = F.gumbel_softmax(ember.zeros(3, 6), tau=0.5, hard=True)
    assert sample.sum(-1).tolist() == [1.0, 1.0, 1.0] and set(sample.reshape(-1).tolist()) == {0.0, 1.0}
    for name, args in [("relu_", ()), ("elu_", (0.5,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.5)),
                       ("selu_", ()), ("celu_", (0.7,)), ("threshold_", (0.1, -2.0))]:
        values = scores(7)
        e, t = ember.tensor(values), torch.tensor(values)
        assert getattr(F, name)(e, *args) is e
        getattr(torch.nn.functional, name)(t, *args)
        numpy.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6, err_msg=name)


def test_torch_level_argument_orders():
    x, w, b = scores(4, 3, 5), RNG.random(3) + 0.5, scores(3)
    mean, var = scores(3), RNG.random(3) + 0.5
    check(ember.batch_norm(ember.tensor(x), ember.tensor(w), ember.tensor(b), ember.tensor(mean), ember.tensor(var),
                           False, 0.1, 1e-5, False),
          torch.batch_norm(torch.tensor(x), torch.tensor(w), torch.tensor(b), torch.tensor(mean), torch.tensor(var),
                           False, 0.1, 1e-5, False))
    check(ember.instance_norm(ember.tensor(x), ember.tensor(w), ember.tensor(b), None, None, True, 0.1, 1e-5, False),
          torch.instance_norm(torch.tensor(x), torch.tensor(w), torch.tensor(b), None, None, True, 0.1, 1e-5, False))
    check(ember.layer_norm(ember.tensor(x), (5,)), torch.layer_norm(torch.tensor(x), (5,)))
    table = scores(6, 2)
    check(ember.embedding(ember.tensor(table), ember.tensor([[1, 5]])),
          torch.embedding(torch.tensor(table), torch.tensor([[1, 5]])))
    a, c, y = scores(4, 3), scores(4, 3), numpy.array([1, -1, -1, 1])
    for reduction in (0, 1, 2):
        check(ember.cosine_embedding_loss(ember.tensor(a), ember.tensor(c), ember.tensor(y), 0.1, reduction),
              torch.cosine_embedding_loss(torch.tensor(a), torch.tensor(c), torch.tensor(y), 0.1, reduction))
        check(ember.hinge_embedding_loss(ember.tensor(a[:, 0]), ember.tensor(y), 1.0, reduction),
              torch.hinge_embedding_loss(torch.tensor(a[:, 0]), torch.tensor(y), 1.0, reduction))
        check(ember.kl_div(ember.tensor(a), ember.tensor(numpy.abs(c)), reduction),
              torch.kl_div(torch.tensor(a), torch.tensor(numpy.abs(c)), reduction))
    check(ember.max_pool1d(ember.tensor(x), 2), torch.max_pool1d(torch.tensor(x), 2))
    check(ember.avg_pool1d(ember.tensor(x), 2), torch.avg_pool1d(torch.tensor(x), 2))
    values, indices = ember.adaptive_max_pool1d(ember.tensor(x), 2)
    t_values, t_indices = torch.adaptive_max_pool1d(torch.tensor(x), 2)
    check(values, t_values)
    assert indices.tolist() == t_indices.tolist()
    assert not ember.alpha_dropout(ember.tensor(x), 0.5, False).requires_grad
    e = ember.tensor(x)
    assert ember.dropout_(e, 0.5, True) is e and set(numpy.unique(e.numpy() == 0)) <= {True, False}


# --- lazy layers and Buffer ------------------------------------------------------------------
def test_lazy_linear_materialises_in_place():
    ember.manual_seed(3)
    layer = nn.LazyLinear(4)
    weight = layer.weight
    optimizer = ember.optim.SGD(layer.parameters(), lr=0.1)
    assert isinstance(weight, nn.UninitializedParameter)
    out = layer(ember.ones(2, 3))
    assert type(layer) is nn.Linear and layer.in_features == 3 and out.shape == (2, 4)
    assert layer.weight is weight and type(weight) is nn.Parameter and weight.shape == (4, 3)
    ember.manual_seed(3)
    eager = nn.Linear(3, 4)
    numpy.testing.assert_array_equal(layer.weight.detach().numpy(), eager.weight.detach().numpy())  # same draws
    out.sum().backward()
    optimizer.step()
    assert not numpy.array_equal(layer.weight.detach().numpy(), eager.weight.detach().numpy())


@pytest.mark.parametrize("lazy,eager,shape,args", [
    (nn.LazyConv1d, nn.Conv1d, (2, 3, 7), (4, 3)), (nn.LazyConv2d, nn.Conv2d, (2, 3, 5, 5), (4, 2)),
    (nn.LazyConvTranspose2d, nn.ConvTranspose2d, (2, 3, 4, 4), (2, 3)),
    (nn.LazyBatchNorm1d, nn.BatchNorm1d, (4, 3), ()), (nn.LazyBatchNorm2d, nn.BatchNorm2d, (4, 3, 2, 2), ()),
    (nn.LazyInstanceNorm1d, nn.InstanceNorm1d, (2, 3, 5), ()),
])
def test_lazy_channel_layers_become_the_eager_class(lazy, eager, shape, args):
    layer = lazy(*args)
    ember.manual_seed(5)
    out = layer(ember.randn(*shape))
    assert type(layer) is eager
    ember.manual_seed(5)
    reference = eager(shape[1], *args)
    x = ember.randn(*shape)
    assert {k: v.shape for k, v in layer.state_dict().items()} == {k: v.shape for k, v in reference.state_dict().items()}
    assert out.shape == reference(x).shape
    assert [name for name, _ in layer.named_parameters()] == [name for name, _ in reference.named_parameters()]


def test_lazy_layer_without_bias_and_before_first_call():
    layer = nn.LazyConv2d(2, 1, bias=False)
    assert layer.bias is None
    with pytest.raises(ember.EmberError, match="first input"):
        layer.state_dict()
    assert nn.LazyInstanceNorm2d().weight is None  # InstanceNorm's default: no affine parameters


def test_buffer_assignment_registers_buffers():
    module = nn.Module()
    module.mean = nn.Buffer(ember.zeros(3))
    module.cache = nn.Buffer(ember.ones(2), persistent=False)
    reference = torch.nn.Module()
    reference.mean = torch.nn.Buffer(torch.zeros(3))
    reference.cache = torch.nn.Buffer(torch.ones(2), persistent=False)
    assert list(module.state_dict()) == list(reference.state_dict())
    assert [n for n, _ in module.named_buffers()] == [n for n, _ in reference.named_buffers()]
    assert isinstance(module.mean, ember.Tensor)


def test_three_d_pool_and_unpool():
    x = numpy.abs(scores(1, 2, 4, 4, 6)) + 0.1
    ex, tx = both(x)
    check(nn.LPPool3d(2, (2, 2, 3))(ex), torch.nn.LPPool3d(2, (2, 2, 3))(tx), [(ex, tx)])
    pooled, indices = torch.nn.functional.max_pool3d(torch.tensor(x), 2, return_indices=True)
    ep, tp = both(pooled.numpy())
    check(nn.MaxUnpool3d(2)(ep, ember.tensor(indices.numpy())), torch.nn.MaxUnpool3d(2)(tp, indices), [(ep, tp)])
    values, where = F.adaptive_max_pool2d_with_indices(ember.tensor(x[0]), (2, 3))
    t_values, t_where = torch.nn.functional.adaptive_max_pool2d_with_indices(torch.tensor(x[0]), (2, 3))
    check(values, t_values)
    assert where.tolist() == t_where.tolist()


def test_rnn_cell_functions_match_torch():
    batch, features, hidden = 3, 4, 5
    x, h, c = scores(batch, features), scores(batch, hidden), scores(batch, hidden)
    for name, gates in [("rnn_tanh_cell", 1), ("rnn_relu_cell", 1), ("gru_cell", 3), ("lstm_cell", 4)]:
        w_ih, w_hh = scores(gates * hidden, features), scores(gates * hidden, hidden)
        b_ih, b_hh = scores(gates * hidden), scores(gates * hidden)
        (ex, tx), (eh, th) = both(x), both(h)
        mine_args = [ember.tensor(a) for a in (w_ih, w_hh, b_ih, b_hh)]
        their_args = [torch.tensor(a) for a in (w_ih, w_hh, b_ih, b_hh)]
        if name == "lstm_cell":
            mine = getattr(ember, name)(ex, (eh, ember.tensor(c)), *mine_args)
            theirs = getattr(torch, name)(tx, (th, torch.tensor(c)), *their_args)
            check(mine[1], theirs[1])
            mine, theirs = mine[0], theirs[0]
        else:
            mine, theirs = getattr(ember, name)(ex, eh, *mine_args), getattr(torch, name)(tx, th, *their_args)
        check(mine, theirs, [(ex, tx), (eh, th)])


def test_convolution_dispatches_like_torch():
    x, w, b = scores(2, 4, 7, 6), scores(6, 2, 3, 3), scores(6)
    check(ember.convolution(ember.tensor(x), ember.tensor(w), ember.tensor(b), (2, 1), (1, 0), (1, 1), False, (0, 0), 2),
          torch.convolution(torch.tensor(x), torch.tensor(w), torch.tensor(b), (2, 1), (1, 0), (1, 1), False, (0, 0), 2))
    wt = scores(4, 3, 2, 2)
    check(ember.convolution(ember.tensor(x), ember.tensor(wt), None, (2, 2), (0, 0), (1, 1), True, (1, 0), 1),
          torch.convolution(torch.tensor(x), torch.tensor(wt), None, (2, 2), (0, 0), (1, 1), True, (1, 0), 1))


def test_data_parallel_and_deprecated_names():
    ember.manual_seed(0)
    inner = nn.Linear(3, 2)
    wrapped = nn.DataParallel(inner)
    x = ember.ones(4, 3)
    assert wrapped.module is inner and bool((wrapped(x) == inner(x)).all())
    assert list(wrapped.state_dict()) == list(torch.nn.DataParallel(torch.nn.Linear(3, 2)).state_dict())
    with pytest.warns(UserWarning, match="NLLLoss2d"):
        loss = nn.NLLLoss2d()
    log_probs = F.log_softmax(ember.tensor(scores(2, 3, 4, 4)), 1)
    assert loss(log_probs, ember.zeros(2, 4, 4, dtype=ember.int64)).shape == ()
    assert issubclass(nn.LSTMCell, nn.RNNCellBase) and issubclass(nn.LSTM, nn.RNNBase)


def test_torch_nn_module_paths_import():
    import importlib
    paths = {"batchnorm": ["_BatchNorm", "BatchNorm2d", "SyncBatchNorm", "LazyBatchNorm1d"],
             "loss": ["_Loss", "_WeightedLoss", "CrossEntropyLoss", "MultiMarginLoss"],
             "conv": ["_ConvNd", "Conv2d", "LazyConv2d"], "module": ["Module"],
             "container": ["Sequential", "ModuleList"], "linear": ["Linear", "Identity", "LazyLinear"],
             "activation": ["ReLU", "MultiheadAttention", "Softshrink"], "dropout": ["_DropoutNd", "AlphaDropout"],
             "pooling": ["_MaxPoolNd", "MaxPool2d", "LPPool2d", "MaxUnpool2d"], "sparse": ["Embedding", "EmbeddingBag"],
             "rnn": ["LSTM", "RNNBase", "RNNCellBase"], "normalization": ["LayerNorm", "LocalResponseNorm"],
             "instancenorm": ["InstanceNorm2d"], "padding": ["ZeroPad2d"], "transformer": ["TransformerEncoderLayer"],
             "utils": ["_pair", "_single", "_triple", "_ntuple"]}
    for path, names in paths.items():
        mine, theirs = importlib.import_module(f"ember.nn.modules.{path}"), importlib.import_module(
            f"torch.nn.modules.{path}")
        for name in names:
            assert hasattr(theirs, name), f"the probe is wrong: torch.nn.modules.{path}.{name}"
            assert hasattr(mine, name), f"ember.nn.modules.{path}.{name}"
    from ember.nn.modules.utils import _pair, _triple
    from torch.nn.modules.utils import _pair as t_pair, _triple as t_triple
    assert _pair(3) == t_pair(3) and _pair([1, 2]) == t_pair([1, 2]) and _triple(2) == t_triple(2)
    from ember.nn.common_types import _size_2_t  # noqa: F401
    assert nn.parallel.DataParallel is nn.DataParallel


@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_log_softmax_matches_torch(head_bias):
    torch.manual_seed(0)
    reference = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12], div_value=2.0, head_bias=head_bias).double()
    mine = nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 12], div_value=2.0, head_bias=head_bias, dtype=ember.float64)
    assert list(mine.state_dict()) == list(reference.state_dict())
    for key, value in reference.state_dict().items():
        mine.state_dict()[key].copy_(ember.tensor(value.numpy()))
    x, labels = scores(6, 8), numpy.array([0, 4, 5, 11, 12, 19])
    ex, tx = both(x)
    out, tout = mine(ex, ember.tensor(labels)), reference(tx, torch.tensor(labels))
    check(out.output, tout.output)
    check(out.loss, tout.loss, [(ex, tx)])
    head_weight = dict(mine.named_parameters())["tail.1.0.weight"]
    t_weight = dict(reference.named_parameters())["tail.1.0.weight"]
    numpy.testing.assert_allclose(head_weight.grad.numpy(), t_weight.grad.numpy(), rtol=1e-6, atol=1e-9)
    check(mine.log_prob(ember.tensor(x)), reference.log_prob(torch.tensor(x)))
    assert mine.predict(ember.tensor(x)).tolist() == reference.predict(torch.tensor(x)).tolist()
    single = mine(ember.tensor(x[0]), ember.tensor(labels[3]))
    check(single.output, reference(torch.tensor(x[0]), torch.tensor(labels[3])).output)
    with pytest.raises(ember.EmberValueError, match="Target values"):
        mine(ember.tensor(x), ember.tensor([0, 1, 2, 3, 4, 20]))


@pytest.mark.parametrize("dims", [2, 3])
def test_fractional_max_pool_matches_torch_for_the_same_samples(dims):
    shape = (2, 3, 9, 11) if dims == 2 else (1, 2, 7, 8, 9)
    kernel, out = ((2, 3), (4, 5)) if dims == 2 else ((2, 2, 3), (3, 4, 5))
    x = scores(*shape)
    samples = RNG.random((shape[0], shape[1], dims))
    ex, tx = both(x)
    mine = getattr(nn, f"FractionalMaxPool{dims}d")(kernel, out, return_indices=True,
                                                   _random_samples=ember.tensor(samples))
    theirs = getattr(torch.nn, f"FractionalMaxPool{dims}d")(kernel, out, return_indices=True,
                                                            _random_samples=torch.tensor(samples))
    (values, indices), (t_values, t_indices) = mine(ex), theirs(tx)
    check(values, t_values, [(ex, tx)])
    assert indices.tolist() == t_indices.tolist()
    ratio = getattr(F, f"fractional_max_pool{dims}d")(ember.tensor(x), 2, output_ratio=0.5)
    assert ratio.shape == tuple(getattr(torch.nn.functional, f"fractional_max_pool{dims}d")(
        torch.tensor(x), 2, output_ratio=(0.5,) * dims).shape)
