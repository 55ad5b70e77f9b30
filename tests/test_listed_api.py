"""Every name the PyTorch-compatibility (11) and Keras/TensorFlow (12) issues list exists.

Presence only: each name's behaviour is checked against PyTorch or real Keras in its own
tests. ``benchmarks/api_coverage.py`` reports the wider share of torch's and keras's names.
"""
import os

import pytest

pytest.importorskip("PIL")


def test_every_listed_name_exists():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import ember
    import ember.nn as nn
    import ember.nn.functional as F
    import ember.optim as optim
    T = "sort argsort topk kthvalue median quantile mode unique bincount histc searchsorted bucketize multinomial cumprod cummax diff roll meshgrid cartesian_prod nan_to_num cdist addmm addbmm baddbmm index_select index_add index_copy index_fill scatter scatter_add scatter_reduce take_along_dim masked_select masked_scatter nonzero argwhere block_diag kron trace tensordot lerp hypot logaddexp clamp_min clamp_max frac fmod remainder copysign signbit isclose equal count_nonzero var_mean std_mean aminmax logcumsumexp rot90 vander tril_indices triu_indices device compile".split()
    L = "norm vector_norm matrix_norm inv det slogdet solve cholesky qr svd svdvals eigh eigvalsh pinv lstsq matrix_exp matrix_power".split()
    FF = "fft ifft rfft irfft fft2 fftfreq".split()
    S = "erf erfc erfinv expit logit xlogy gammaln digamma i0".split()
    D = "Normal Bernoulli Categorical Uniform Beta Gamma Dirichlet MultivariateNormal Independent kl_divergence".split()
    N = "Transformer TransformerDecoder TransformerDecoderLayer Upsample PixelShuffle PixelUnshuffle ConvTranspose1d ConvTranspose3d Conv3d MaxPool1d MaxPool3d AdaptiveMaxPool2d Fold Unfold CosineSimilarity PairwiseDistance TripletMarginLoss MarginRankingLoss CTCLoss PoissonNLLLoss GaussianNLLLoss Bilinear RNNCell Dropout1d Dropout2d Dropout3d".split()
    NF = "interpolate grid_sample affine_grid".split()
    O = "Adadelta Adamax NAdam RAdam ASGD Rprop LBFGS SparseAdam".split()
    SCH = "LinearLR SequentialLR ChainedScheduler CyclicLR PolynomialLR CosineAnnealingWarmRestarts ConstantLR".split()
    miss = []
    for mod, names, label in [(ember, T, "ember"), (ember.linalg, L, "linalg"), (ember.fft, FF, "fft"), (ember.special, S, "special"), (ember.distributions, D, "distributions"), (nn, N, "nn"), (F, NF, "F"), (optim, O, "optim"), (optim.lr_scheduler, SCH, "sched")]:
        miss += [f"{label}.{n}" for n in names if not hasattr(mod, n)]
    import ember.nn.utils.rnn as R
    miss += [f"rnn.{n}" for n in "pad_sequence pack_padded_sequence pad_packed_sequence".split() if not hasattr(R, n)]
    miss += [f"nn.utils.{n}" for n in "parameters_to_vector".split() if not hasattr(ember.nn.utils, n)]
    import ember.nn.utils.parametrizations as P; miss += [f"param.{n}" for n in "weight_norm spectral_norm".split() if not hasattr(P, n)]
    miss += [f"autograd.{n}" for n in "Function".split() if not hasattr(ember.autograd, n)]
    import ember.autograd.functional as AF; miss += [f"AF.{n}" for n in "jacobian hessian vjp jvp hvp".split() if not hasattr(AF, n)]
    miss += [f"func.{n}" for n in "grad grad_and_value vjp jacrev vmap".split() if not hasattr(ember.func, n)]
    from ember.utils.checkpoint import checkpoint
    miss += [f"cuda.{n}" for n in "is_available device_count manual_seed synchronize".split() if not hasattr(ember.cuda, n)]
    miss += [f"accel.{n}" for n in "is_available current_accelerator".split() if not hasattr(ember.accelerator, n)]
    from ember.vision import datasets, transforms, utils
    miss += [f"vision.{n}" for n in "MNIST FashionMNIST CIFAR10".split() if not hasattr(datasets, n)]
    miss += [f"transforms.{n}" for n in "Compose ToTensor Normalize RandomCrop RandomHorizontalFlip Resize CenterCrop RandomRotation ColorJitter Lambda".split() if not hasattr(transforms, n)]
    miss += [f"vutils.{n}" for n in "make_grid save_image".split() if not hasattr(utils, n)]
    miss += [f"Tensor.{n}" for n in "__format__ tolist numpy item new_zeros new_ones new_full new_empty new_tensor to cpu cuda".split() if not hasattr(ember.Tensor, n)]
    miss += [f"Module.{n}" for n in "to cpu cuda type half double float register_forward_hook register_forward_pre_hook register_full_backward_hook named_modules apply zero_grad".split() if not hasattr(nn.Module, n)]
    # session 5: torch names real programs stop at (see tests/ops/test_torch_namespace_more.py, tests/nn/test_torch_layers_more.py)
    TN = "relu_ sigmoid_ tanh_ exp_ log_ sqrt_ clamp_ abs_ neg_ zero_ fill_ hstack vstack dstack column_stack row_stack atleast_1d atleast_2d atleast_3d hsplit vsplit dsplit tensor_split split_with_sizes swapdims ravel vdot mv addr diagflat repeat_interleave unravel_index isin isneginf isposinf isreal is_floating_point is_signed is_same_size finfo iinfo Size dtype e pi inf nan FloatTensor LongTensor result_type can_cast get_rng_state set_rng_state seed use_deterministic_algorithms are_deterministic_algorithms_enabled set_float32_matmul_precision get_float32_matmul_precision GradScaler logspace kaiser_window combinations ldexp frexp fmax fmin sinc positive rsub scalar_tensor randint_like detach conv1d conv2d conv_transpose2d layer_norm group_norm batch_norm instance_norm embedding selu celu threshold hardshrink prelu rrelu pixel_shuffle pdist cosine_similarity pairwise_distance bilinear kl_div ctc_loss cosine_embedding_loss margin_ranking_loss triplet_margin_loss hinge_embedding_loss poisson_nll_loss max_pool1d max_pool2d avg_pool1d dropout_ alpha_dropout".split()
    TNN = "Hardshrink Softshrink RReLU SoftMarginLoss MultiMarginLoss MultiLabelMarginLoss MultiLabelSoftMarginLoss CosineEmbeddingLoss HingeEmbeddingLoss LocalResponseNorm LPPool1d LPPool2d MaxUnpool1d MaxUnpool2d EmbeddingBag AlphaDropout FeatureAlphaDropout ChannelShuffle Softmax2d Buffer TripletMarginWithDistanceLoss LazyLinear LazyConv1d LazyConv2d LazyConv3d LazyBatchNorm1d LazyBatchNorm2d SyncBatchNorm".split()
    TNF = "soft_margin_loss multi_margin_loss multilabel_margin_loss multilabel_soft_margin_loss cosine_embedding_loss hinge_embedding_loss local_response_norm lp_pool1d lp_pool2d max_unpool1d max_unpool2d embedding_bag alpha_dropout feature_alpha_dropout channel_shuffle rrelu pdist triplet_margin_with_distance_loss".split()
    miss += [f"ember.{n}" for n in TN if not hasattr(ember, n)] + [f"nn.{n}" for n in TNN if not hasattr(nn, n)]
    miss += [f"F.{n}" for n in TNF if not hasattr(F, n)]
    assert miss == [], f"issue 11 names missing: {miss}"
    from ember import keras
    K = keras.layers
    KL = "Conv1DTranspose Conv2DTranspose SeparableConv2D DepthwiseConv2D Conv3D UpSampling1D UpSampling2D ZeroPadding1D ZeroPadding2D Cropping1D Cropping2D Permute RepeatVector SpatialDropout1D SpatialDropout2D GaussianNoise GaussianDropout GroupNormalization UnitNormalization Bidirectional TimeDistributed ConvLSTM2D Attention AdditiveAttention Dot Subtract Maximum Minimum ReLU LeakyReLU PReLU ELU Softmax Identity Masking Rescaling Normalization Discretization CategoryEncoding Hashing StringLookup IntegerLookup TextVectorization Resizing CenterCrop RandomFlip RandomRotation RandomZoom RandomTranslation RandomContrast".split()
    m2 = [f"layers.{n}" for n in KL if not hasattr(K, n)]
    m2 += [f"opt.{n}" for n in "Adadelta Adamax Nadam Lion Ftrl LossScaleOptimizer".split() if not hasattr(keras.optimizers, n)]
    m2 += [f"loss.{n}" for n in "Hinge SquaredHinge CategoricalHinge CosineSimilarity LogCosh Poisson BinaryFocalCrossentropy CategoricalFocalCrossentropy Tversky Dice".split() if not hasattr(keras.losses, n)]
    m2 += [f"metric.{n}" for n in "F1Score FBetaScore MeanIoU R2Score PrecisionAtRecall SpecificityAtSensitivity CosineSimilarity LogCoshError".split() if not hasattr(keras.metrics, n)]
    m2 += [f"cb.{n}" for n in "BackupAndRestore TerminateOnNaN".split() if not hasattr(keras.callbacks, n)]
    m2 += [f"reg.{n}" for n in "l1 l2 l1_l2".split() if not hasattr(keras.regularizers, n)]
    m2 += [f"con.{n}" for n in "MaxNorm NonNeg UnitNorm MinMaxNorm".split() if not hasattr(keras.constraints, n)]
    m2 += [f"utils.{n}" for n in "normalize pad_sequences set_random_seed PyDataset Sequence timeseries_dataset_from_array image_dataset_from_directory text_dataset_from_directory".split() if not hasattr(keras.utils, n)]
    m2 += [f"datasets.{n}" for n in "mnist fashion_mnist cifar10 imdb boston_housing".split() if not hasattr(keras.datasets, n)]
    m2 += [f"keras.{n}" for n in "ops random mixed_precision Input Variable".split() if not hasattr(keras, n)]
    m2 += [f"models.{n}" for n in "clone_model load_model".split() if not hasattr(keras.models, n)]
    m2 += [f"tf.{n}" for n in "GradientTape Variable constant convert_to_tensor reduce_sum reduce_mean reduce_max reduce_min reduce_prod reduce_any reduce_all matmul square reshape transpose concat stack one_hot argmax cast clip_by_value clip_by_global_norm zeros_like ones_like range where gather expand_dims squeeze shape size function TensorSpec".split() if not hasattr(ember, n)]
    m2 += [f"tf.random.{n}" for n in "normal uniform set_seed".split() if not hasattr(ember.random, n)]
    m2 += [f"tf.nn.{n}" for n in "relu softmax sigmoid_cross_entropy_with_logits softmax_cross_entropy_with_logits".split() if not hasattr(ember.nn, n)]
    m2 += [f"Dataset.{n}" for n in "from_tensor_slices from_generator range".split() if not hasattr(ember.data.Dataset, n)]
    assert m2 == [], f"issue 12 names missing: {m2}"

