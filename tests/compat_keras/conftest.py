"""Keras programs run under Ember and under real Keras 3 (torch backend).

The backend must be chosen before anything imports ``keras``, so it is set here, at
collection time, before the harness or a test module imports it.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")
