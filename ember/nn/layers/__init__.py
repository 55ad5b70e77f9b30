"""The layer classes, grouped by kind; ``ember.nn`` re-exports them."""
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh,  # noqa: F401
                         LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, Sigmoid, SiLU,
                         Softmax, Softmin, Softplus, Softsign, Tanh, Tanhshrink, Threshold)
from .distance import CosineSimilarity, PairwiseDistance  # noqa: F401
from .pixel_shuffle import PixelShuffle, PixelUnshuffle  # noqa: F401
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d,  # noqa: F401
                      ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
                      ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                      ZeroPad1d, ZeroPad2d, ZeroPad3d)
from .fold import Fold, Unfold  # noqa: F401
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: F401
from .dropout import Dropout, Dropout1d, Dropout2d, Dropout3d  # noqa: F401
from .embedding import Embedding  # noqa: F401
from .flatten import Flatten, Unflatten  # noqa: F401
from .linear import Bilinear, Identity, Linear  # noqa: F401
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm,  # noqa: F401
                            InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, RMSNorm)
# --- part 2: convolution, pooling, recurrent, attention, transformer (owner: nn-conv-rnn) ---
from .conv import (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d,  # noqa: E402,F401
                   ConvTranspose3d)
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AvgPool1d,  # noqa: E402,F401
                      AvgPool2d, AvgPool3d, MaxPool1d, MaxPool2d, MaxPool3d)
from .pooling import AdaptiveMaxPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool3d  # noqa: E402,F401
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: E402,F401
from .attention import MultiheadAttention, NonDynamicallyQuantizableLinear  # noqa: E402,F401
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,  # noqa: E402,F401
                          TransformerEncoder, TransformerEncoderLayer)
# --- part 3: the rest of torch.nn's layers (session 5) ---
from .shrink_and_shuffle import (AlphaDropout, ChannelShuffle, FeatureAlphaDropout, Hardshrink,  # noqa: E402,F401
                                 RReLU, Softmax2d, Softshrink)
from .margin_losses import (CosineEmbeddingLoss, HingeEmbeddingLoss, MultiLabelMarginLoss,  # noqa: E402,F401
                            MultiLabelSoftMarginLoss, MultiMarginLoss, SoftMarginLoss,
                            TripletMarginWithDistanceLoss)
from .lp_pool import (LocalResponseNorm, LPPool1d, LPPool2d, LPPool3d, MaxUnpool1d, MaxUnpool2d,  # noqa: E402,F401
                      MaxUnpool3d, FractionalMaxPool2d, FractionalMaxPool3d)
from .compat import Container, DataParallel, NLLLoss2d, RNNBase, RNNCellBase  # noqa: E402,F401
from .embedding_bag import EmbeddingBag  # noqa: E402,F401
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d, LazyConv2d,  # noqa: E402,F401
                   LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d,
                   LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d, LazyLinear, UninitializedParameter)
from .sync_batch_norm import SyncBatchNorm  # noqa: E402,F401
from .adaptive_softmax import AdaptiveLogSoftmaxWithLoss  # noqa: E402,F401
