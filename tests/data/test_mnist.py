from pathlib import Path

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


def test_mnist_scenario_reads_the_shipped_sample_offline():
    from auditor.config import default_config
    from auditor.data.mnist import SAMPLE_IMAGES, SAMPLE_LABELS
    from tests.data.test_sources import assert_disjoint

    cfg = default_config("mnist").data
    assert cfg.root is None and not cfg.download
    b = load_bundle(cfg, seed=0)
    assert_disjoint(b)
    assert b.input_shape == (1, 28, 28) and b.pretrain_task.n_classes == 10
    assert sum(len(s) for s in b.splits.values()) == 5000
    sizes = {name: len(s) for name, s in b.splits.items()}
    assert sizes == {"pretrain": 1750, "finetune_train": 750, "holdout": 750, "val": 500,
                     "test": 1250}  # fmt: skip
    # stratified by digit: 500 of each digit in the sample, 125 in the test split
    assert np.bincount(b["test"].y_pretrain).tolist() == [125] * 10
    assert np.array_equal(b["test"].y, b["test"].y_pretrain % 2)
    x = b["test"].x
    assert x.dtype == np.float32 and x.shape == (1250, 1, 28, 28)
    assert np.isclose(x.min(), (0 - 0.1307) / 0.3081, atol=1e-5)
    assert np.isclose(x.max(), (1 - 0.1307) / 0.3081, atol=1e-5)
    # no image shared between a training and an evaluation split
    train = set(b["pretrain"].row_hashes()) | set(b["finetune_train"].row_hashes())
    assert not train & set(b["test"].row_hashes())
    assert set(b.source_files) == {SAMPLE_IMAGES[:-3], SAMPLE_LABELS[:-3]}
    assert "sample" in b.description and b.license == "CC BY-SA 3.0"


def test_mnist_sample_matches_its_recorded_hashes():
    from pathlib import Path

    from auditor.data.mnist import SAMPLE_DIR, _read_sample

    source = (SAMPLE_DIR / "SOURCE.md").read_text()
    _, digits, files = _read_sample()
    assert np.bincount(digits).tolist() == [500] * 10
    for name, sha in files.items():
        assert f"{name} `{sha}`" in source
    assert Path(SAMPLE_DIR / "SOURCE.md").is_file()


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00\x00\x08\x02" + b"\x00" * 8, b"\x00\x00\x08\x01\x00\x00\x00\x05abc"],
)
def test_read_idx_refuses_what_is_not_idx(raw):
    from auditor.data.mnist import BAD_IDX, read_idx

    with pytest.raises(AuditorInputError) as err:
        read_idx(raw, source="x.gz")
    assert str(err.value).startswith(f"x.gz: {BAD_IDX}")


def test_mnist_missing_root_message_names_the_key(tmp_path):
    from auditor.data.mnist import NO_FILES

    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=tmp_path / "empty"), seed=0)
    assert str(err.value).startswith(f"{tmp_path / 'empty'}: data.root: {NO_FILES}")


def test_validate_data_checks_a_mnist_root(tmp_path):
    from auditor.data import validate_data
    from auditor.data.mnist import NO_FILES

    with pytest.raises(AuditorInputError) as err:
        validate_data(MnistData(root=tmp_path / "empty"))
    assert str(err.value) == f"{tmp_path / 'empty'}: data.root: {NO_FILES}"
    validate_data(MnistData(root=write_mnist_root(tmp_path / "mnist")))
    validate_data(MnistData())  # the shipped sample needs no root


OFFLINE = (
    "Error downloading train-images-idx3-ubyte.gz:\nTried https://ossci-datasets.s3.amazonaws"
    ".com/mnist/, got:\n<urlopen error [Errno -2] Name or service not known>\nTried http://"
    "yann.lecun.com/exdb/mnist/, got:\n<urlopen error [Errno -2] Name or service not known>\n"
)


@pytest.mark.parametrize("root", ["given", "unset"])
def test_a_download_without_network_is_one_line_naming_data_download(tmp_path, monkeypatch,
                                                                     root):  # fmt: skip
    # torchvision's error is several lines (each mirror and its reason): the CLI printed the
    # first, "... (Error downloading train-images-idx3-ubyte.gz:", and the advice to set
    # data.download = true, already set; the empty MNIST/raw folders it made stayed behind
    from torchvision import datasets

    from auditor.data.mnist import NO_DOWNLOAD

    def offline(self):
        Path(self.raw_folder).mkdir(parents=True, exist_ok=True)
        raise RuntimeError(OFFLINE)

    monkeypatch.setattr(datasets.MNIST, "download", offline)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "empty" if root == "given" else Path("data")
    if root == "given":
        folder.mkdir()
    config = MnistData(root=folder if root == "given" else None, download=True)
    with pytest.raises(AuditorInputError) as err:
        load_bundle(config, seed=0)
    reason = "<urlopen error [Errno -2] Name or service not known>"
    want = NO_DOWNLOAD.format(raw=folder / "MNIST" / "raw", reason=reason)
    assert str(err.value) == f"{folder}: data.download: {want}"
    assert list(tmp_path.iterdir()) == ([folder] if root == "given" else [])
    assert root == "unset" or not any(folder.iterdir())


def test_idx_files_in_the_root_need_no_network_with_download_on(tmp_path, monkeypatch):
    from torchvision.datasets import utils

    def no_network(*args, **kwargs):
        raise AssertionError("a download was tried")

    monkeypatch.setattr(utils, "download_url", no_network)
    root = write_mnist_root(tmp_path / "mnist")
    assert len(load_bundle(MnistData(root=root, download=True), seed=0)["test"].x)


def test_a_root_says_how_many_images_it_held(tmp_path):
    # it said "the full set read through torchvision" of any root, 70,000 images or not
    root = write_mnist_root(tmp_path / "mnist")
    b = load_bundle(MnistData(root=root), seed=0)
    n = sum(len(s) for s in b.splits.values())
    assert "the full set" not in b.description
    assert f"{n:,} images (train and t10k files) read from {root}" in b.description


@pytest.mark.parametrize("download", [False, True])
def test_a_root_of_gzip_compressed_idx_files_is_read(tmp_path, monkeypatch, download):
    # MNIST is distributed as .gz files: torchvision reads the uncompressed ones only, so such
    # a root was refused as 'no MNIST files (... Dataset not found. You can use download=True'
    import gzip

    from torchvision.datasets import utils

    def no_network(*args, **kwargs):
        raise AssertionError("a download was tried")

    monkeypatch.setattr(utils, "download_url", no_network)
    plain = write_mnist_root(tmp_path / "plain")
    raw = tmp_path / "gz" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for path in (plain / "MNIST" / "raw").iterdir():
        (raw / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes()))
    got = load_bundle(MnistData(root=tmp_path / "gz", download=download), seed=0)
    want = load_bundle(MnistData(root=plain), seed=0)
    assert np.array_equal(got["test"].x, want["test"].x)
    assert np.array_equal(got["test"].y, want["test"].y)


@pytest.mark.parametrize("pair", ["train", "t10k"])
def test_a_pair_of_unequal_length_is_refused_naming_its_files(tmp_path, pair):
    # 300 train images with 290 labels and 100 t10k images with 110 labels matched in total,
    # so they were read, every train image after row 290 given a neighbour's digit
    from tests.data.idx import synthetic_digits, write_idx_labels

    root = write_mnist_root(tmp_path / "mnist")
    raw = root / "MNIST" / "raw"
    _, train = synthetic_digits(300, 0)
    _, test = synthetic_digits(100, 1)
    if pair == "train":  # 10 labels moved to t10k: the totals match
        train, test = train[:290], np.concatenate([test, train[290:]])
    else:  # 10 labels short: named only as 'images and labels do not match'
        test = test[:90]
    write_idx_labels(raw / "train-labels-idx1-ubyte", train)
    write_idx_labels(raw / "t10k-labels-idx1-ubyte", test)
    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=root), seed=0)
    n_images, n_labels = (300, 290) if pair == "train" else (100, 90)
    message = str(err.value)
    assert message.startswith(f"{raw / f'{pair}-labels-idx1-ubyte'}: data.root: ")
    assert f"{n_labels:,} labels for the {n_images:,} images of {pair}-images-idx3-ubyte" in message


@pytest.mark.parametrize("download", [False, True])
def test_a_root_missing_some_files_names_them_in_one_line(tmp_path, monkeypatch, download):
    # with the train files alone it fell to torchvision (7 s) and said 'no MNIST files ...
    # (Dataset not found. You can use download=True to download it)'
    from torchvision import datasets

    from auditor.data import validate_data

    def offline(self):
        raise RuntimeError(OFFLINE)

    monkeypatch.setattr(datasets.MNIST, "download", offline)
    root = write_mnist_root(tmp_path / "mnist")
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (root / "MNIST" / "raw" / name).unlink()
    config = MnistData(root=root, download=download)
    with pytest.raises(AuditorInputError) as err:
        load_bundle(config, seed=0)
    message = str(err.value)
    assert "\n" not in message and "torchvision" not in message and "Dataset" not in message
    if download:  # asked to fetch them: the download's own reason, as without any file
        assert message.startswith(f"{root}: data.download: ")
        return
    assert message.startswith(f"{root}: data.root: ")
    assert "lacks t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte" in message
    with pytest.raises(AuditorInputError) as err:
        validate_data(config)
    assert str(err.value) == message


@pytest.mark.parametrize("damage", ["cut short", "bytes changed"])
def test_a_damaged_gzip_in_the_root_is_bad_input_naming_it(tmp_path, damage):
    # an interrupted download leaves a .gz cut short: gzip's EOFError was an internal error
    # ('internal error: EOFError: Compressed file ended ...'), naming neither file nor key
    import gzip

    plain = write_mnist_root(tmp_path / "plain")
    raw = tmp_path / "gz" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for path in (plain / "MNIST" / "raw").iterdir():
        (raw / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes()))
    bad = raw / "train-images-idx3-ubyte.gz"
    data = bad.read_bytes()
    if damage == "cut short":
        bad.write_bytes(data[: len(data) // 2])
    else:
        bad.write_bytes(data[:20] + bytes(b ^ 0xFF for b in data[20:60]) + data[60:])
    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=tmp_path / "gz"), seed=0)
    assert err.value.source == str(bad) and err.value.field == "data.root"
    assert "a damaged gzip file" in str(err.value) and "fetch it again" in str(err.value)


def _rewrite_train(root, images=None, labels=None):
    from tests.data.idx import write_idx_images, write_idx_labels

    raw = root / "MNIST" / "raw"
    if images is not None:
        write_idx_images(raw / "train-images-idx3-ubyte", images)
    if labels is not None:
        write_idx_labels(raw / "train-labels-idx1-ubyte", labels)
    return raw


def test_a_label_that_is_no_digit_is_refused_naming_its_file(tmp_path):
    # label 11 was an internal error ("IndexError: Target 11 is out of bounds") mid-training
    from auditor.data.mnist import NOT_DIGITS
    from tests.data.idx import synthetic_digits

    root = write_mnist_root(tmp_path / "mnist")
    labels = synthetic_digits(300, 0)[1].copy()
    labels[7] = 11
    raw = _rewrite_train(root, labels=labels)
    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=root), seed=0)
    expected = NOT_DIGITS.format(value=11, number=8)
    assert str(err.value) == f"{raw / 'train-labels-idx1-ubyte'}: data.root: {expected}"


def test_images_that_are_not_28x28_are_refused_naming_their_file(tmp_path):
    # 10x10 images were audited as "MNIST handwritten digits (28x28, ...)"
    from auditor.data.mnist import NOT_28X28

    root = write_mnist_root(tmp_path / "mnist")
    raw = _rewrite_train(root, images=np.zeros((300, 10, 10), dtype=np.uint8))
    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=root), seed=0)
    expected = NOT_28X28.format(shape="10x10")
    assert str(err.value) == f"{raw / 'train-images-idx3-ubyte'}: data.root: {expected}"


def test_a_root_of_empty_idx_files_is_refused_in_one_line(tmp_path):
    # four files of 0 images: "internal error: ValueError: cannot reshape array of size 0"
    from auditor.data.mnist import NO_IMAGES
    from tests.data.idx import write_idx_images, write_idx_labels

    root = write_mnist_root(tmp_path / "mnist")
    raw = root / "MNIST" / "raw"
    for prefix in ("train", "t10k"):
        write_idx_images(raw / f"{prefix}-images-idx3-ubyte", np.zeros((0, 28, 28)))
        write_idx_labels(raw / f"{prefix}-labels-idx1-ubyte", np.zeros(0))
    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=root), seed=0)
    assert str(err.value) == f"{root}: data.root: {NO_IMAGES}"


def test_mnist_fetched_by_torchvision_without_an_image_is_refused_in_one_line(
    tmp_path, monkeypatch
):
    # 8083955 moved this refusal into the reading of a root's own files: data fetched by
    # torchvision (data.download) holding no image reached the splits again
    from auditor.data import mnist
    from auditor.data.mnist import NO_IMAGES

    empty = (np.zeros((0, 28, 28), dtype=np.uint8), np.zeros(0, dtype=np.int64))
    monkeypatch.setattr(mnist, "_read_torchvision", lambda root, download: empty)
    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=tmp_path, download=True), seed=0)
    assert str(err.value) == f"{tmp_path}: data.root: {NO_IMAGES}"


@pytest.mark.parametrize("packing", ["plain", "gzip"])
def test_a_root_file_that_is_not_idx_names_the_file_and_data_root(tmp_path, packing):
    # 'R/.../train-images-idx3-ubyte: not an MNIST IDX file' named no field, unlike every
    # other refusal of a root's files
    import gzip

    raw = write_mnist_root(tmp_path) / "MNIST" / "raw"
    bad = raw / "train-images-idx3-ubyte"
    bad.write_bytes(b"PK\x03\x04" + bytes(40))
    if packing == "gzip":
        bad = bad.with_name(f"{bad.name}.gz")
        bad.write_bytes(gzip.compress(bad.with_suffix("").read_bytes()))
        bad.with_suffix("").unlink()
    with pytest.raises(AuditorInputError) as err:
        load_bundle(MnistData(root=tmp_path), seed=0)
    assert str(err.value) == f"{bad}: data.root: not an MNIST IDX file"
