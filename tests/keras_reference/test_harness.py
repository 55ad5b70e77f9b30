"""The harness itself, on layers Ember already had: it must pass on them and catch a wrong one."""
import numpy as np
import pytest

from ember import keras as ember_keras

from .harness import both, compare_layer, random

RNN_TODO = {"activity_regularizer", "bias_constraint", "kernel_constraint", "recurrent_constraint"}


@pytest.mark.parametrize("name,args,kwargs,shape", [
    ("Dense", (3,), {"activation": "tanh"}, (4, 5)),
    ("Conv2D", (4, 3), {"padding": "same", "strides": 2}, (2, 7, 6, 3)),
    ("LSTM", (5,), {"return_sequences": True}, (2, 4, 3)),
    ("GRU", (3,), {"return_state": True}, (2, 4, 3)),
])
def test_existing_layers_match_keras(name, args, kwargs, shape):
    compare_layer(*both(name, *args, **kwargs), random(*shape), config_exempt=RNN_TODO)


def test_harness_catches_a_wrong_layer():
    make_keras, _ = both("Dense", 3)
    with pytest.raises(AssertionError):  # a different activation gives different numbers
        compare_layer(make_keras, lambda: ember_keras.layers.Dense(3, activation="relu"), random(4, 5))
