"""preflight.sizes: a tiny table or built-in is refused once, naming every short split and
class, and a number of rows it names is one that passes the same check."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from auditor import preflight
from auditor.config import AuditConfig, TableData, validate_config
from auditor.errors import MAX_LINE, AuditorInputError

DEFAULT = AuditConfig().data.splits.model_dump()


def _refusal(fractions: dict[str, float], counts: dict[str, int]) -> str | None:
    """The line the table check says for a table of ``counts`` rows per class, or None."""
    problems = [p for p in (preflight.splits_problem(fractions, list(counts.values())),
                            preflight.classes_problem(fractions["test"], counts)) if p]  # fmt: skip
    return "; and ".join(message for _, message in problems) or None


def _scaled(counts: dict[str, int], n: int) -> dict[str, int]:
    """A table of ``n`` rows in the proportions of ``counts`` (the leftover rows to the
    largest remainders)."""
    rows = sum(counts.values())
    out = {k: c * n // rows for k, c in counts.items()}
    for k in sorted(counts, key=lambda k: -(counts[k] * n % rows))[: n - sum(out.values())]:
        out[k] += 1
    return out


@pytest.mark.parametrize(
    ("counts", "changes"),
    [
        ({"no": 30, "yes": 15}, {"holdout": 0.001, "val": 0.001}),  # start past the search's end
        ({"a": 20, "b": 20, "c": 2}, {}),  # a class short in the test split too
        ({"0": 14, "1": 14, "2": 17}, {}),
        ({"no": 37, "yes": 8}, {}),
        ({"no": 40, "yes": 40}, {"val": 0.001}),
        ({"no": 50, "yes": 30}, {}),  # 'val' alone short: 7 rows of 80
        ({"no": 40, "yes": 40}, {"test": 0.1}),  # 'test' alone short, 8 rows
        ({"no": 44, "yes": 1}, {"holdout": 0.001, "val": 0.001}),
        ({"no": 30, "yes": 15}, {"holdout": 1e-9, "val": 1e-9}),  # past any table: no number
    ],
)
def test_the_rows_named_pass_the_check(counts, changes):
    """'about 10,000 rows' (45 rows, holdout = val = 0.001: the search's start past its end,
    returned unchecked) and 'about 105 rows' ({a: 20, b: 20, c: 2}: the splits alone counted,
    where class 'c' is still short at 105) were refused again when given; a number named now
    passes, and where none is found none is named."""
    fractions = DEFAULT | changes
    said = _refusal(fractions, counts)
    assert said is not None
    found = re.search(r"about ([\d,]+) rows", said)
    if found is None:  # no table found (a single split short named none: 'val' 7 of 80 rows)
        assert "(more rows, or larger" in said and fractions["val"] < 1e-6, said
        return
    n = int(found.group(1).replace(",", ""))
    assert _refusal(fractions, _scaled(counts, n)) is None, (n, said)


def test_rows_are_named_with_thousands_separators():
    """'the 1797-row data' beside 'about 2,500 rows' in the same line."""
    said = preflight.splits_problem({"test": 0.004}, [1797])[1]
    assert "of the 1,797-row data" in said


def _builtin(data: dict, seed: int = 0) -> str | None:
    config = validate_config({"data": data, "seed": seed}, source="a.toml")
    try:
        preflight.check_builtin_splits(config, source="a.toml")
    except AuditorInputError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("max_rows", [100, 120, 150, 300])
def test_an_mnist_subsample_is_counted_per_digit_as_its_splits_are_drawn(max_rows):
    """MNIST's splits are drawn stratified by digit: max_rows = 100 passed the check (one count
    of 100 rows), then its val split held 6 rows. The check now counts the subsample's digits,
    as the loader draws them, and agrees with the splits a run gets."""
    from auditor.data import load_bundle

    config = validate_config({"data": {"source": "mnist", "max_rows": max_rows}}, source="a.toml")
    bundle = load_bundle(config.data, seed=config.seed)
    short = [s for s in preflight.used_splits(config)
             if len(bundle.splits[s].y) < preflight.MIN_SPLIT_ROWS]  # fmt: skip
    said = _builtin({"source": "mnist", "max_rows": max_rows})
    assert (said is None) == (not short), (said, short)
    if said is not None:
        assert "a larger data.max_rows" in said and "about" not in said


def test_a_full_mnist_subsampled_is_checked_by_its_digits_shares(tmp_path):
    """A data.root's MNIST subsampled to 50 rows passed unchecked ('thousands of rows per
    split'); its digits are about equal, each split short."""
    said = _builtin({"source": "mnist", "root": str(tmp_path), "max_rows": 50})
    assert said is not None and "the 50-row data is too small for 3 splits" in said
    assert _builtin({"source": "mnist", "root": str(tmp_path)}) is None


def test_a_fixed_builtin_is_told_its_fractions_not_a_row_count():
    """digits with holdout = val = 0.004 said 'about 2,500 rows in these classes' proportions'
    of a dataset of 1,797 rows that no setting changes; the way on is the fractions."""
    said = _builtin({"source": "digits", "splits": {"holdout": 0.004, "val": 0.004}})
    assert said is not None and "the 1,797-row data is too small for 2 splits" in said
    assert said.endswith("(larger data.splits fractions)") and "about" not in said
    said = _builtin({"source": "digits", "splits": {"test": 0.002}})
    assert said.endswith("(a larger data.splits.test)") and "more rows" not in said


def test_the_builtins_strata_are_the_ones_their_loaders_split_by():
    from sklearn.datasets import load_digits

    from auditor.data.adult import SHIPPED, read_adult
    from auditor.preflight.sizes import ADULT_PER_CLASS, DIGITS_PER_DIGIT

    assert tuple(np.bincount(load_digits().target).tolist()) == DIGITS_PER_DIGIT
    income = read_adult(SHIPPED)["income"]
    assert ((income != ">50K").sum(), (income == ">50K").sum()) == ADULT_PER_CLASS
    from auditor.data.mnist import sample_digit_counts
    from auditor.preflight.sizes import MNIST_SAMPLE_ROWS

    assert sum(sample_digit_counts(None, seed=0)) == MNIST_SAMPLE_ROWS


def test_a_tiny_table_of_many_classes_is_said_whole(tmp_path, monkeypatch):
    """48 rows of 8 classes: the joined split and class line was past 500 characters, and its
    middle (the rows the splits need, the first short class) was cut out. Fewer classes are
    named, so that the line is whole."""
    rng = np.random.default_rng(0)
    y = np.repeat([f"class_{name}" for name in "alpha beta gamma delta epsilon zeta eta theta"
                   .split()], 6)  # fmt: skip
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "my_project_data/exports/2026/customer_table.csv"
    path.parent.mkdir(parents=True)
    pd.DataFrame({"x": rng.normal(size=48), "sex": rng.choice(["f", "m"], 48), "y": y}).to_csv(
        path, index=False
    )
    data = TableData(path=path.relative_to(tmp_path), target="y", sensitive=["sex"])
    with pytest.raises(AuditorInputError) as err:
        preflight.check_table_counts(data, "none", fractions=preflight.used_splits(AuditConfig(
            data=data)))  # fmt: skip
    said = str(err.value)
    assert len(said) <= MAX_LINE and "left out" not in said, said
    assert "rows in these classes' proportions" in said
    assert "class 'class_alpha' would have 1 row in the test split (6 in the table)" in said
    assert said.endswith("the audit needs at least 5 of each class there (more rows of it, or "
                         "a larger data.splits.test)")  # fmt: skip


def test_a_long_path_leaves_the_sizes_line_whole(tmp_path, monkeypatch):
    """Under a 250-character folder, even naming no class but the first left the line past 500
    characters, and its middle was cut out: the short splits and the rows they need. Where no
    class named fits, none is, and the cut falls in the path."""
    from auditor.errors import cut_middle

    rng = np.random.default_rng(0)
    y = np.repeat([f"class_{i}" for i in range(8)], 6)
    path = tmp_path / ("long_folder_name_" * 15) / "tiny.csv"
    path.parent.mkdir()
    pd.DataFrame({"x": rng.normal(size=48), "sex": rng.choice(["f", "m"], 48), "y": y}).to_csv(
        path, index=False
    )
    data = TableData(path=path, target="y", sensitive=["sex"])
    with pytest.raises(AuditorInputError) as err:
        preflight.check_table_counts(data, "none", fractions=DEFAULT)
    said = cut_middle(str(err.value))
    assert err.value.message in said and err.value.field == "data.splits", said
    assert said.endswith("data.splits: the 48-row data is too small: 4 splits under 10 rows, 8 "
                         "classes under 5 rows in the test split (about 160 rows in these "
                         "classes' proportions, or larger data.splits fractions)")  # fmt: skip


def test_the_sizes_line_counts_the_classes_the_class_check_names():
    """TOO_SMALL counted the short classes with its own copy of the class check's test
    (floor(test * count) < MIN_CLASS_TEST_ROWS); both now ask _short_classes, so the count
    and the names agree, a class of 4.8 test rows short in both."""
    from auditor.preflight import sizes

    counts = {"a": 9, "b": 10, "c": 100, "d": 24, "e": 25}
    assert [label for label, _, _ in sizes._short_classes(0.2, counts)] == ["a", "b", "d"]
    named = sizes.classes_problem(0.2, counts)[1]
    assert all(repr(label) in named for label in "abd") and "'e'" not in named
    fractions = {"train": 0.6, "validation": 0.2, "test": 0.2}
    assert "3 classes under 5 rows in the test split" in sizes._too_small(fractions, counts)


@pytest.mark.parametrize("max_rows", [60, 100, 140])
def test_a_full_mnist_subsampled_is_counted_by_its_own_digits(tmp_path, max_rows):
    """A data.root's MNIST with max_rows was checked by equal digit shares while the run draws
    its rows by the files' own (unequal) shares: a root mostly of zeros passed at 100 rows and
    its val split then held 8. The check now reads the two label files and counts the
    subsample a run draws, and agrees with the splits a run gets."""
    from auditor.data import load_bundle
    from tests.data.idx import write_idx_images, write_idx_labels

    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for prefix, n in (("train", 300), ("t10k", 100)):
        labels = np.where(np.arange(n) % 8 == 0, np.arange(n) // 8 % 9 + 1, 0)  # 7 in 8: 0
        write_idx_images(raw / f"{prefix}-images-idx3-ubyte", np.zeros((n, 28, 28)))
        write_idx_labels(raw / f"{prefix}-labels-idx1-ubyte", labels)
    data = {"source": "mnist", "root": str(tmp_path), "max_rows": max_rows}
    config = validate_config({"data": data}, source="a.toml")
    bundle = load_bundle(config.data, seed=config.seed)
    short = [s for s in preflight.used_splits(config)
             if len(bundle.splits[s].y) < preflight.MIN_SPLIT_ROWS]  # fmt: skip
    said = _builtin(data)
    assert (said is None) == (not short), (said, short)


def test_a_small_mnist_root_is_counted_without_max_rows(tmp_path):
    """A data.root of 40 images passed unchecked ('thousands of rows per split') and ran with
    splits of a handful of rows; its label files are counted as they are."""
    from tests.data.idx import write_mnist_root

    write_mnist_root(tmp_path, n_train=30, n_test=10)
    said = _builtin({"source": "mnist", "root": str(tmp_path)})
    assert said is not None and "the 40-row data is too small" in said
    assert said.endswith("(larger data.splits fractions)")


def _swap_labels(raw):
    """train's labels file holds its images (an IDX file of magic 0x0803)."""
    from tests.data.idx import synthetic_digits, write_idx_images

    write_idx_images(raw / "train-labels-idx1-ubyte", synthetic_digits(300, 0)[0])


def _fewer_labels(raw):
    from tests.data.idx import synthetic_digits, write_idx_labels

    write_idx_labels(raw / "train-labels-idx1-ubyte", synthetic_digits(290, 0)[1])


def _no_digit(raw):
    from tests.data.idx import synthetic_digits, write_idx_labels

    labels = synthetic_digits(300, 0)[1].copy()
    labels[7] = 11
    write_idx_labels(raw / "train-labels-idx1-ubyte", labels)


def _small_images(raw):
    from tests.data.idx import write_idx_images

    write_idx_images(raw / "train-images-idx3-ubyte", np.zeros((300, 10, 10)))


def _empty(raw):
    from tests.data.idx import write_idx_images, write_idx_labels

    for prefix in ("train", "t10k"):
        write_idx_images(raw / f"{prefix}-images-idx3-ubyte", np.zeros((0, 28, 28)))
        write_idx_labels(raw / f"{prefix}-labels-idx1-ubyte", np.zeros(0))


def _gzip(path, cut=0):
    """``path`` replaced by its .gz (as MNIST is distributed), ``cut`` bytes short of its end."""
    import gzip

    packed = gzip.compress(path.read_bytes())
    path.with_name(f"{path.name}.gz").write_bytes(packed[: len(packed) - cut])
    path.unlink()


def _cut_gzip(raw):  # a download cut short: its ISIZE is other bytes
    _gzip(raw / "train-images-idx3-ubyte", cut=100)


def _cut_images(raw):  # a copy cut short, one image's pixels missing
    path = raw / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-784])


def _images_not_idx(raw):
    (raw / "train-images-idx3-ubyte").write_bytes(b"PK\x03\x04" + bytes(40))


def _flip_a_byte(raw):  # a byte changed mid-stream: the header and ISIZE are as they were
    path = _gzip_images(raw)
    packed = bytearray(path.read_bytes())
    packed[len(packed) // 2] ^= 0xFF
    path.write_bytes(packed)


def _bad_crc(raw):  # the stream is whole, its CRC (the 8th byte from the end) is not
    path = _gzip_images(raw)
    packed = bytearray(path.read_bytes())
    packed[-8] ^= 0xFF
    path.write_bytes(packed)


def _trailing_junk(raw):  # bytes after the stream, ending in the images' length as an ISIZE
    size = (raw / "train-images-idx3-ubyte").stat().st_size
    path = _gzip_images(raw)
    path.write_bytes(path.read_bytes() + b"JUNK" + size.to_bytes(4, "little"))


def _bad_crc_not_idx(raw):  # two faults: not IDX, and its CRC wrong
    path = raw / "train-images-idx3-ubyte"
    path.write_bytes(b"PK\x03\x04" + bytes(5000))
    _bad_crc(raw)


def _isize_wraps(raw):
    """A header of 5,478,275 images: 2**32 + 320 bytes, which a 320-byte file's ISIZE (the
    length mod 2**32) matches."""
    import struct

    path = raw / "train-images-idx3-ubyte"
    path.write_bytes(struct.pack(">IIII", 0x0803, 5_478_275, 28, 28) + bytes(304))
    _gzip(path)


def _gzip_images(raw):
    _gzip(raw / "train-images-idx3-ubyte")
    return raw / "train-images-idx3-ubyte.gz"


@pytest.mark.parametrize("break_root", [_swap_labels, _fewer_labels, _no_digit, _small_images,
                                        _empty, _cut_gzip, _cut_images, _images_not_idx,
                                        _flip_a_byte, _bad_crc, _trailing_junk,
                                        _bad_crc_not_idx, _isize_wraps])  # fmt: skip
@pytest.mark.parametrize("max_rows", [None, 20, 200])
def test_a_root_the_run_refuses_is_refused_by_preflight_in_the_same_line(
    tmp_path, break_root, max_rows
):
    """Preflight read a root's two label files without the checks the run reads them by: a
    label file holding images was an internal error (numpy's concatenate), and fewer labels
    than images were counted as they were. It now reads them as the run does, so it refuses
    each such root in the run's own line (naming the file), and never counts them. A .gz
    whose header and ISIZE were intact but whose stream was not (a byte flipped, a wrong CRC,
    junk after it; an ISIZE matching mod 2**32) passed preflight since 02badae and was
    refused only after torch's import (2.4 s): preflight gunzips it through, keeping nothing."""
    from auditor.data import load_bundle
    from tests.data.idx import write_mnist_root

    break_root(write_mnist_root(tmp_path) / "MNIST" / "raw")
    data = {"source": "mnist", "root": str(tmp_path), "max_rows": max_rows}
    config = validate_config({"data": data}, source="a.toml")
    with pytest.raises(AuditorInputError) as run:
        load_bundle(config.data, seed=config.seed)
    assert _builtin(data) == str(run.value)


@pytest.mark.parametrize("packing", ["plain", "gzip", "two gzip members"])
def test_preflight_counts_a_root_from_its_image_headers_not_its_pixels(
    tmp_path, monkeypatch, packing
):
    """Preflight read, gunzipped, hashed and joined every image of a root only to count its
    labels: 0.5 s and 114 MB on a 70,000-image root, past issue 15's 'a config error under
    1 s'. The images' count and shape come from their IDX header and the file's length (a
    .gz's true length, gunzipped through 1 MB at a time, two gzip members too: 0.12 s and
    +5 MB on that root), none held whole, and the counts are those of the run's own labels."""
    import gzip

    from auditor.data import mnist
    from tests.data.idx import write_mnist_root

    raw = write_mnist_root(tmp_path) / "MNIST" / "raw"
    images = [raw / f"{prefix}-images-idx3-ubyte" for prefix in ("train", "t10k")]
    if packing == "gzip":
        for path in images:
            _gzip(path)
    elif packing == "two gzip members":
        body = images[0].read_bytes()
        images[0].with_name(f"{images[0].name}.gz").write_bytes(
            gzip.compress(body[:1000]) + gzip.compress(body[1000:]))  # fmt: skip
        images[0].unlink()
    config = validate_config({"data": {"source": "mnist", "root": str(tmp_path),
                                       "max_rows": 120}}, source="a.toml")  # fmt: skip
    read = []
    real = mnist._uncompressed
    monkeypatch.setattr(mnist, "_uncompressed", lambda path, **kw: read.append(path.name)
                        or real(path, **kw))  # fmt: skip
    counts, _ = mnist.root_digit_counts(config.data, seed=config.seed)
    assert not [name for name in read if "images" in name]
    run_digits = mnist._read_raw(tmp_path)[1]  # the run's read: every pixel
    assert counts == mnist._digit_counts(run_digits, 120, seed=config.seed)
    assert sum(counts) == 120 and len(run_digits) == 400
