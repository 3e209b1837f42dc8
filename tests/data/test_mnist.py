import numpy as np
import pytest

from auditor.config import MnistData
from auditor.data import load_bundle
from auditor.errors import AuditorInputError
from tests.data.idx import write_mnist_root


def test_mnist_from_idx_files(tmp_path):
    root = write_mnist_root(tmp_path / "mnist")
    b = load_bundle(MnistData(root=root), seed=0)
    assert b.input_shape == (1, 28, 28)
    assert sum(len(s) for s in b.splits.values()) <= 400
    x = b["test"].x
    # the seed's normalisation: (x/255 - 0.1307) / 0.3081
    assert np.isclose(x.min(), (0 - 0.1307) / 0.3081, atol=1e-5)
    assert np.isclose(x.max(), (1 - 0.1307) / 0.3081, atol=1e-5)
    assert set(np.unique(b["pretrain"].y_pretrain)) == set(range(10))


def test_mnist_max_rows(tmp_path):
    root = write_mnist_root(tmp_path / "mnist")
    b = load_bundle(MnistData(root=root, max_rows=200), seed=0)
    assert sum(len(s) for s in b.splits.values()) <= 200


def test_mnist_missing_root_is_bad_input(tmp_path):
    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=tmp_path / "empty"), seed=0)
    assert "data.root" in str(err.value) and "\n" not in str(err.value)
