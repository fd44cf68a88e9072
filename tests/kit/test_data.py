"""The MNIST loader: verified arrays, and a clear message for missing or wrong data."""

import numpy as np
import pytest

from data import mnist


def test_loads_the_verified_arrays_with_the_documented_sanity_figures():
    (x_train, y_train), (x_test, y_test) = mnist.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_test.dtype == np.uint8
    assert list(y_train[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert list(y_test[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert x_train.mean() == pytest.approx(33.3184, abs=1e-4)


def test_a_missing_file_says_where_to_put_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_MNIST", str(tmp_path / "nowhere.npz"))
    with pytest.raises(mnist.MNISTError, match=r"not found at .*nowhere\.npz.*python -m data\.mnist --from"):
        mnist.load_mnist()


def test_a_corrupt_file_is_refused(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(mnist.MNISTError, match="not a readable MNIST"):
        mnist.load_mnist(path)


def test_other_data_is_refused_by_the_array_hashes(tmp_path):
    (x_train, y_train), (x_test, y_test) = mnist.load_mnist()
    y_train = y_train.copy()
    y_train[0] = 3
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    with pytest.raises(mnist.MNISTError, match="hash mismatch in y_train"):
        mnist.load_mnist(path)


def test_the_command_installs_only_verified_data(tmp_path, monkeypatch, capsys):
    target = tmp_path / "data" / "mnist.npz"
    monkeypatch.setenv("KIT_MNIST", str(target))
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"nothing")
    assert mnist.main(["--from", str(bad)]) == 1 and not target.exists()
    assert "error:" in capsys.readouterr().err
    assert mnist.main(["--from", str(mnist.DEFAULT_PATH)]) == 0 and target.exists()


def test_setup_copies_a_given_file_or_downloads_and_says_what_failed(tmp_path, monkeypatch, capsys):
    target = tmp_path / "data" / "mnist.npz"
    monkeypatch.setenv("KIT_MNIST", str(target))
    monkeypatch.setattr(mnist, "SHARED_COPY", tmp_path / "no-shared-copy.npz")
    assert not mnist.provide(tmp_path / "nowhere.npz", fetch=True)  # a given file is not replaced by a download
    assert "MNIST was not found at" in capsys.readouterr().err and not target.exists()
    fetched = []
    monkeypatch.setattr(mnist, "download", lambda path: (fetched.append(path), mnist.install(mnist.DEFAULT_PATH, path)))
    assert mnist.provide(fetch=True) and fetched == [target] and target.exists()
    assert mnist.provide(target) and "verified" in capsys.readouterr().out
