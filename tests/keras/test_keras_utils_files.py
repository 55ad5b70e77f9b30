"""keras.utils helpers with no real-Keras counterpart to run here: get_file, split_dataset, audio datasets, fit caps."""
import functools
import hashlib
import http.server
import io
import os
import tarfile
import threading
import wave
import zipfile

import numpy as np
import pytest

from ember import keras


@pytest.fixture
def served(tmp_path):
    """A local HTTP server over ``tmp_path/www``; yields (folder, base URL, request log)."""
    folder = tmp_path / "www"
    folder.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(self.path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_get_file_downloads_once_and_checks_the_hash(served, tmp_path):
    folder, url, requests = served
    (folder / "data.bin").write_bytes(b"payload")
    sha256, md5 = hashlib.sha256(b"payload").hexdigest(), hashlib.md5(b"payload").hexdigest()
    cache = tmp_path / "cache"
    path = keras.utils.get_file(origin=f"{url}/data.bin", file_hash=sha256, cache_dir=cache)
    assert path == str(cache / "datasets" / "data.bin") and open(path, "rb").read() == b"payload"
    assert keras.utils.get_file(origin=f"{url}/data.bin", file_hash=md5, cache_dir=cache) == path
    assert len(requests) == 1  # the cached file with the right hash is reused
    keras.utils.get_file("renamed.bin", origin=f"{url}/data.bin", cache_dir=cache, cache_subdir="sub",
                         force_download=True)
    assert (cache / "sub" / "renamed.bin").read_bytes() == b"payload" and len(requests) == 2


def test_get_file_refuses_a_wrong_hash_and_leaves_no_file(served, tmp_path):
    folder, url, _ = served
    (folder / "data.bin").write_bytes(b"payload")
    with pytest.raises(ValueError, match="Incomplete or corrupted file detected"):
        keras.utils.get_file(origin=f"{url}/data.bin", file_hash="0" * 64, cache_dir=tmp_path)
    assert not (tmp_path / "datasets" / "data.bin").exists()


def test_get_file_downloads_again_when_the_cached_copy_is_stale(served, tmp_path):
    folder, url, requests = served
    (folder / "data.bin").write_bytes(b"fresh")
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(b"stale")
    path = keras.utils.get_file(origin=f"{url}/data.bin", file_hash=hashlib.sha256(b"fresh").hexdigest(),
                                cache_dir=tmp_path)
    assert open(path, "rb").read() == b"fresh" and len(requests) == 1


def test_get_file_reports_a_missing_url(served, tmp_path):
    _, url, _ = served
    with pytest.raises(Exception, match="URL fetch failure"):
        keras.utils.get_file(origin=f"{url}/nothing.bin", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="origin"):
        keras.utils.get_file("x.bin", cache_dir=tmp_path)


@pytest.mark.parametrize("kind", ["tar.gz", "zip"])
def test_get_file_extracts_archives_with_keras_names(tmp_path, kind):
    source = tmp_path / f"bundle.{kind}"
    if kind == "zip":
        with zipfile.ZipFile(source, "w") as archive:
            archive.writestr("inner/a.txt", "A")
    else:
        with tarfile.open(source, "w:gz") as archive:
            info = tarfile.TarInfo("inner/a.txt")
            info.size = 1
            archive.addfile(info, io.BytesIO(b"A"))
    cache = tmp_path / "cache"
    named = keras.utils.get_file(f"bundle.{kind}", origin=source.as_uri(), extract=True, cache_dir=cache)
    assert named == str(cache / "datasets" / "bundle_extracted")
    assert open(os.path.join(named, "inner", "a.txt")).read() == "A"
    other = tmp_path / "other"
    unnamed = keras.utils.get_file(origin=source.as_uri(), extract=True, cache_dir=other)
    assert unnamed == str(other / "datasets" / f"bundle.{kind}")
    assert os.path.isfile(str(other / "datasets" / f"bundle.{kind}_archive"))


def test_split_dataset_sizes_and_shuffle():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    left, right = keras.utils.split_dataset((x, y), right_size=3)
    left_rows, right_rows = list(left.as_numpy_iterator()), list(right.as_numpy_iterator())
    assert len(left_rows) == 7 and [int(row[1]) for row in right_rows] == [7, 8, 9]
    np.testing.assert_array_equal(right_rows[0][0], x[7])
    first, _ = keras.utils.split_dataset(np.arange(10), left_size=0.5, shuffle=True, seed=3)
    again, _ = keras.utils.split_dataset(np.arange(10), left_size=0.5, shuffle=True, seed=3)
    shuffled = [int(v) for v in first.as_numpy_iterator()]
    assert shuffled == [int(v) for v in again.as_numpy_iterator()] and shuffled != [0, 1, 2, 3, 4]
    for sizes in ({}, {"left_size": 1.5}, {"left_size": 10}, {"left_size": 0.6, "right_size": 0.6}):
        with pytest.raises(ValueError):
            keras.utils.split_dataset(np.arange(10), **sizes)


def _write_wav(path, samples, rate=8000, channels=1):
    with wave.open(str(path), "wb") as file:
        file.setnchannels(channels)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(np.asarray(samples, "<i2").tobytes())


def test_audio_dataset_from_directory(tmp_path):
    for label, lengths in (("cat", (4, 6)), ("dog", (5,))):
        (tmp_path / label).mkdir()
        for index, length in enumerate(lengths):
            _write_wav(tmp_path / label / f"{index}.wav", np.full(length * 2, -16384), channels=2)
    dataset = keras.utils.audio_dataset_from_directory(tmp_path, batch_size=2, shuffle=False,
                                                       label_mode="categorical", verbose=False)
    batches = list(dataset)
    assert dataset.class_names == ["cat", "dog"] and len(batches) == 2
    audio, labels = (np.asarray(value) for value in batches[0])
    assert audio.shape == (2, 6, 2) and np.all(audio[0, :4] == -0.5) and np.all(audio[0, 4:] == 0)
    assert labels.tolist() == [[1.0, 0.0], [1.0, 0.0]]
    fixed = keras.utils.audio_dataset_from_directory(tmp_path, output_sequence_length=3, batch_size=None,
                                                     shuffle=False, verbose=False)
    assert [tuple(audio.shape) for audio, _ in fixed] == [(3, 2)] * 3
    training, validation = keras.utils.audio_dataset_from_directory(
        tmp_path, validation_split=0.34, subset="both", seed=1, verbose=False)
    assert len(training.file_paths) == 2 and len(validation.file_paths) == 1
    with pytest.raises(ValueError, match="8000 Hz"):
        list(keras.utils.audio_dataset_from_directory(tmp_path, sampling_rate=16000, verbose=False))


def test_max_epochs_and_steps_cap_fit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((40, 2), "float32"), np.ones((40, 1), "float32")
    seen = []
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    keras.config.set_max_epochs(2)
    keras.config.set_max_steps_per_epoch(3)
    try:
        history = model.fit(x, y, batch_size=4, epochs=5, verbose=0, callbacks=[counter])
    finally:
        keras.config.set_max_epochs(None)
        keras.config.set_max_steps_per_epoch(None)
    assert len(history.history["loss"]) == 2 and seen == [0, 1, 2, 0, 1, 2]
    with pytest.raises(ValueError, match="positive integer"):
        keras.config.set_max_epochs(0)


def test_enable_unsafe_deserialization_lets_lambdas_load(tmp_path):
    from ember.keras import config
    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda t: t * 3.0)])
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ValueError):
        keras.models.load_model(path)
    config.enable_unsafe_deserialization()
    try:
        restored = keras.models.load_model(path)
    finally:
        config._STATE["unsafe_deserialization"] = False
    np.testing.assert_allclose(restored.predict(np.ones((1, 2), "float32"), verbose=0), [[3.0, 3.0]])
