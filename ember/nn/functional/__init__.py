"""Stateless neural-network functions (``ember.nn.functional``, usually imported as ``F``)."""
# --- part 1: activations, linear, dropout, normalisation, embedding, losses (owner: nn-core) ---
from .activation import (celu, elu, gelu, glu, hardshrink, hardsigmoid, hardswish, hardtanh,  # noqa: F401
                         leaky_relu, log_softmax, logsigmoid, mish, prelu, relu, relu6, selu, sigmoid,
                         silu, softmax, softmin, softplus, softshrink, softsign, tanh, tanhshrink,
                         threshold)
from .dropout import dropout, dropout1d, dropout2d, dropout3d  # noqa: F401
from .embedding import embedding, one_hot  # noqa: F401
from .linear import bilinear, linear  # noqa: F401
from .loss import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,  # noqa: F401
                   huber_loss, kl_div, l1_loss, mse_loss, nll_loss, smooth_l1_loss)
from .normalization import (batch_norm, group_norm, instance_norm, layer_norm, normalize,  # noqa: F401
                            rms_norm)
from .padding import pad  # noqa: F401
from .distance import cosine_similarity, pairwise_distance  # noqa: F401
from .margin_loss import margin_ranking_loss, triplet_margin_loss  # noqa: F401
from .likelihood_loss import gaussian_nll_loss, poisson_nll_loss  # noqa: F401
from .pixel_shuffle import pixel_shuffle, pixel_unshuffle  # noqa: F401
from .interpolate import interpolate, upsample  # noqa: F401
from .fold import fold, unfold  # noqa: F401
from .grid_sample import affine_grid, grid_sample  # noqa: F401
from .ctc import ctc_loss  # noqa: F401
from .adaptive_max_pool import adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d  # noqa: F401

# --- part 2: conv, pooling, attention (owner: nn-conv-rnn) ---
from .conv import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: E402,F401
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d,  # noqa: E402,F401
                      avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d)
from .attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402,F401

# --- part 3: the rest of torch.nn.functional's names (session 5) ---
from .classification_margin_loss import (multi_margin_loss, multilabel_margin_loss,  # noqa: E402,F401
                                         multilabel_soft_margin_loss, soft_margin_loss)
from .embedding_loss import (cosine_embedding_loss, hinge_embedding_loss,  # noqa: E402,F401
                             triplet_margin_with_distance_loss)
from .randomized import alpha_dropout, feature_alpha_dropout, rrelu  # noqa: E402,F401
from .lp_pool import (local_response_norm, lp_pool1d, lp_pool2d, lp_pool3d, max_unpool1d,  # noqa: E402,F401
                      max_unpool2d, max_unpool3d)
from .embedding_bag import embedding_bag  # noqa: E402,F401
from .channel_ops import channel_shuffle, native_channel_shuffle, pdist  # noqa: E402,F401
from .inplace_activation import (celu_, elu_, hardtanh_, leaky_relu_, relu_, rrelu_, selu_,  # noqa: E402,F401
                                 threshold_)
from .fractional_max_pool import (fractional_max_pool2d, fractional_max_pool2d_with_indices,  # noqa: E402,F401
                                  fractional_max_pool3d, fractional_max_pool3d_with_indices)
from .gumbel_softmax import gumbel_softmax, upsample_bilinear, upsample_nearest  # noqa: E402,F401
from .torch_level import (adaptive_max_pool1d_with_indices, adaptive_max_pool2d_with_indices,  # noqa: E402,F401
                          adaptive_max_pool3d_with_indices, max_pool1d_with_indices, max_pool2d_with_indices,
                          max_pool3d_with_indices)
