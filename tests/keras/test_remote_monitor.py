"""RemoteMonitor posts each epoch's logs to a local HTTP server, in Keras's form and JSON encodings."""
import http.server
import json
import threading
import urllib.parse

import numpy as np
import pytest

from ember import keras


@pytest.fixture
def receiver():
    """A local server recording (path, content type, body) of every POST."""
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append((self.path, self.headers["Content-Type"], self.headers.get("X-Run"), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def _fit(callback):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    return model.fit(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"), epochs=2, verbose=0,
                     callbacks=[callback]).history


def test_form_encoded_logs(receiver):
    url, received = receiver
    history = _fit(keras.callbacks.RemoteMonitor(root=url, headers={"X-Run": "r1"}))
    assert [entry[:3] for entry in received] == [("/publish/epoch/end/", "application/x-www-form-urlencoded", "r1")] * 2
    sent = [json.loads(urllib.parse.parse_qs(entry[3])["data"][0]) for entry in received]
    assert [entry["epoch"] for entry in sent] == [0, 1]
    np.testing.assert_allclose([entry["loss"] for entry in sent], history["loss"], rtol=1e-6)
    assert set(sent[0]) == {"epoch", "loss", "mae"}


def test_json_logs_to_a_custom_path(receiver):
    url, received = receiver
    _fit(keras.callbacks.RemoteMonitor(root=url, path="/logs", send_as_json=True))
    assert [(path, kind) for path, kind, _, _ in received] == [("/logs", "application/json")] * 2
    assert json.loads(received[1][3])["epoch"] == 1


def test_unreachable_server_warns_and_training_goes_on():
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        history = _fit(keras.callbacks.RemoteMonitor(root="http://127.0.0.1:9"))
    assert len(history["loss"]) == 2
