"""Registering and removing device backends that share one array type (a test double standing in
for two devices): removing one must leave the other's arrays usable."""
from __future__ import annotations

import numpy

import ember
from ember import backend
from tests.helpers.standin import StandinArray, ensure_registered, standin


def test_unregistering_a_second_device_keeps_the_first_devices_arrays_working():
    ensure_registered()
    backend.register(backend.DeviceBackend("cuda", standin, StandinArray, to_numpy=lambda a: a.inner.copy(),
                                           from_numpy=lambda a: StandinArray(numpy.array(a, copy=True))))
    backend.unregister("cuda")  # the Keras placement tests do this after borrowing the stand-in's arrays
    x = ember.tensor([1.0, 2.0]).to("standin")
    y = (x * 3).to("cpu")  # ran in the stand-in namespace, not through numpy.asarray
    numpy.testing.assert_array_equal(y.numpy(), [3.0, 6.0])
