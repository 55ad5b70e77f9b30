"""``RemoteMonitor``: POST each epoch's logs to an HTTP server (Keras's wire format).

By default the body is a form field ``data`` holding the logs as JSON
(``{"epoch": 0, "loss": ...}``); ``send_as_json=True`` posts the JSON itself.
Sent with the standard library (Keras uses ``requests``); an unreachable server
gives a warning, not an error, so training goes on.

Example:
    >>> from ember import keras
    >>> monitor = keras.callbacks.RemoteMonitor(root="http://127.0.0.1:9", send_as_json=True)
    >>> monitor.root + monitor.path
    'http://127.0.0.1:9/publish/epoch/end/'
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy

from .callback import Callback

_TIMEOUT_SECONDS = 10


class RemoteMonitor(Callback):
    """Send ``{"epoch": ..., **logs}`` to ``root + path`` at the end of every epoch."""

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/", field: str = "data",
                 headers: dict | None = None, send_as_json: bool = False):
        super().__init__()
        self.root, self.path, self.field = root, path, field
        self.headers, self.send_as_json = headers, send_as_json

    def _payload(self, epoch: int, logs: dict) -> dict:
        send = {"epoch": epoch}
        for key, value in (logs or {}).items():
            if isinstance(value, (numpy.ndarray, numpy.generic)) or hasattr(value, "item"):
                value = value.item()
            send[key] = value
        return send

    def on_epoch_end(self, epoch, logs=None):
        send = self._payload(epoch, logs)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS):
                pass
        except (urllib.error.URLError, OSError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}", stacklevel=2)
