"""Keras layers (``keras.layers``): each an ``ember.nn.Module`` that builds on its first call."""
from .layer import Layer
from .symbolic import KerasTensor
from .input_layer import Input, InputLayer
from .core import Activation, ActivityRegularization, Dense, Dropout, Flatten, Identity, Lambda, Reshape
from .merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add, average,
                    concatenate, dot, maximum, minimum, multiply, subtract)
from .activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, Permute, RepeatVector, UpSampling1D, UpSampling2D,
                        UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from .noise import AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from .normalization_extra import GroupNormalization, UnitNormalization
from .masking import Masking
from .dot_attention import AdditiveAttention, Attention
from .wrappers import Bidirectional, TimeDistributed
from .preprocessing_numeric import CategoryEncoding, Discretization, Normalization, Rescaling
from .lookup import IntegerLookup, StringLookup
from .hashing import Hashing
from .text_vectorization import TextVectorization
from .preprocessing_image import (CenterCrop, RandomBrightness, RandomContrast, RandomCrop, RandomFlip,
                                  RandomRotation, RandomTranslation, RandomZoom, Resizing)
from .conv import Conv1D, Conv2D, Conv3D
from .conv_variants import (Conv1DTranspose, Conv2DTranspose, Conv3DTranspose, DepthwiseConv1D,
                            DepthwiseConv2D, SeparableConv1D, SeparableConv2D)
from .pooling import (AveragePooling1D, AveragePooling2D, AveragePooling3D, AvgPool1D, AvgPool2D, AvgPool3D,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D, GlobalAvgPool1D,
                      GlobalAvgPool2D, GlobalAvgPool3D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D, MaxPool1D, MaxPool2D, MaxPool3D,
                      MaxPooling1D, MaxPooling2D, MaxPooling3D)
from .normalization import BatchNormalization, LayerNormalization
from .embedding import Embedding

Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (Conv1DTranspose, Conv2DTranspose,
                                                                           Conv3DTranspose)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
from .recurrent import GRU, GRUCell, LSTM, LSTMCell, RNN, SimpleRNN, SimpleRNNCell, StackedRNNCells
from .attention import MultiHeadAttention
from .conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from ..input_spec import InputSpec  # keras.InputSpec, exported here too as Keras does
from .wrapper import Wrapper
from .spectral_normalization import SpectralNormalization
from .rms_normalization import RMSNormalization
from .einsum_dense import EinsumDense
from .grouped_query_attention import GroupedQueryAttention, GroupQueryAttention
from .adaptive_pooling import (AdaptiveAveragePooling1D, AdaptiveAveragePooling2D, AdaptiveAveragePooling3D,
                               AdaptiveMaxPooling1D, AdaptiveMaxPooling2D, AdaptiveMaxPooling3D)
from .reversible_embedding import ReversibleEmbedding
from .torch_module_wrapper import TorchModuleWrapper
from .hashed_crossing import HashedCrossing
from .pipeline import Pipeline
from .spectrogram import MelSpectrogram, STFTSpectrogram
from .augmentation_color import (AutoContrast, Equalization, RandomColorDegeneration, RandomGaussianBlur,
                                 RandomGrayscale, RandomHue, RandomInvert, RandomPosterization, RandomSaturation,
                                 RandomSharpness, Solarization)
from .augmentation_mixing import CutMix, MixUp, RandomErasing
from .augmentation_geometry import RandomColorJitter, RandomPerspective, RandomShear
from .augmentation_policies import AugMix, RandAugment
from .augmentation_extra import MaxNumBoundingBoxes, RandomElasticTransform
from .augmentation_clahe import ContrastLimitedAdaptiveHistogramEqualization


def serialize(layer) -> dict:
    """``{'class_name': ..., 'config': ...}`` for a layer."""
    from ..saving import serialize_layer
    return serialize_layer(layer)


def deserialize(config: dict, custom_objects: dict | None = None):
    """A new layer from :func:`serialize`'s output."""
    from ..saving import deserialize_layer
    return deserialize_layer(config, custom_objects)
