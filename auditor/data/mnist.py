"""Real MNIST at 28x28, the seed's data and normalisation (mean 0.1307, std 0.3081).

- ``data.root`` unset (the default): the 5,000-image sample shipped in
  ``auditor/data/mnist_sample/`` (500 per digit from the MNIST training set; see SOURCE.md),
  read with numpy alone, so ``auditor run --scenario mnist`` works offline.
- ``data.root`` set, or ``data.download = true``: the four IDX files in ``MNIST/raw/``
  (70,000 images as distributed; read at whatever count they hold), each as it is or
  gzip-compressed, by auditor's own IDX reader; downloaded through torchvision only where
  some are missing and ``data.download = true`` (into ``data/`` when no root is given).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from auditor.config import MnistData
from auditor.data import DatasetBundle
from auditor.data._images import image_bundle
from auditor.errors import AuditorInputError
from auditor.provenance import sha256_bytes
from auditor.seeding import Rngs

SAMPLE_DIR = Path(__file__).parent / "mnist_sample"
SAMPLE_IMAGES = "mnist-5k-images-idx3-ubyte.gz"
SAMPLE_LABELS = "mnist-5k-labels-idx1-ubyte.gz"
DOWNLOAD_ROOT = Path("data")
CITATION = "LeCun, Y., Cortes, C. & Burges, C. J. C. The MNIST database of handwritten digits."
NO_FILES = (
    "no MNIST files (expected MNIST/raw/*-idx?-ubyte, or .gz); put them there, set "
    "data.download = true where a network exists, or leave data.root unset for the shipped "
    "5,000-image sample"
)
NOT_ALL_FILES = (
    "MNIST/raw lacks {missing} (plain or .gz) beside the other IDX files; put them there, set "
    "data.download = true where a network exists, or leave data.root unset for the shipped "
    "5,000-image sample"
)
BAD_IDX = "not an MNIST IDX file"
UNPAIRED = (
    "{labels:,} labels for the {images:,} images of {file}: each image is read with the label "
    "in its place, so the two files must hold as many (images 3-D, labels 1-D)"
)
NOT_28X28 = "images of {shape} pixels, not MNIST's 28x28 (the seed's CNN is audited at 28x28)"
NOT_DIGITS = "label {value} (number {number:,} in the file) is not a digit: MNIST's are 0 to 9"
NO_IMAGES = "the four IDX files in MNIST/raw hold no image"
GZIP_MARK = b"\x1f\x8b"
IDX_HEAD = 16  # an IDX file's header: its magic and, for images, three sizes
CHUNK = 1 << 20  # a .gz is read, and gunzipped, this much at a time
GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib reads gzip's header and checks its CRC and length
# MNIST/raw/ under data.root: training images and labels, test images and labels.
IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
             "t10k-labels-idx1-ubyte")  # fmt: skip
NO_DOWNLOAD = (
    "data.download = true could not fetch MNIST into {raw} ({reason}); with no network, put "
    "the four IDX files there (train-images-idx3-ubyte, train-labels-idx1-ubyte, "
    "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) and set data.download = false, or leave "
    "data.root unset and data.download false for the shipped 5,000-image sample"
)


def load_mnist_bundle(config: MnistData, *, seed: int) -> DatasetBundle:
    """The shipped sample when ``config.root`` is None and ``download`` is off, else the root's
    four IDX files (:func:`_read_raw`; downloaded first where some are missing and
    ``download`` is on); ``max_rows`` subsamples either from ``data/mnist/subsample``."""
    if config.root is None and not config.download:
        pixels, digits, files = _read_sample()
        where = "the 5,000-image sample shipped with auditor (500 per digit)"
    else:
        root = Path(config.root) if config.root is not None else DOWNLOAD_ROOT
        found = _read_raw(root)  # as distributed (.gz) or unpacked
        if found is None and not config.download:  # torchvision reads no other files
            raise _no_files(root)
        how = "read" if found is not None else "read by torchvision"
        pixels, digits = found or _read_torchvision(root, download=config.download)
        _some_images(len(digits), root)  # either way: nothing to split was numpy's error
        files = {"root": str(root)}
        # the files' own count: a root may hold fewer than MNIST's 70,000 (it said "the full set")
        where = f"{len(digits):,} images (train and t10k files) {how} from {root}"
    keep = subsample(len(digits), config.max_rows, seed=seed)
    if keep is not None:
        pixels, digits = pixels[keep], digits[keep]
    pixels, digits = pixels.astype(np.float32) / 255.0, digits.astype(np.int64)
    images = (pixels - 0.1307) / 0.3081
    return image_bundle(
        config,
        name="mnist",
        pixels=pixels,
        images=images,
        digits=digits,
        seed=seed,
        description=f"MNIST handwritten digits (28x28, 256 grey levels): {where}.",
        citation=CITATION,
        license="CC BY-SA 3.0",
        source_files=files,
    )


def subsample(n: int, max_rows: int | None, *, seed: int) -> np.ndarray | None:
    """The rows ``max_rows`` keeps of ``n`` (sorted, drawn from ``data/mnist/subsample``), or
    None: every row."""
    if max_rows is None or max_rows >= n:
        return None
    rng = Rngs(seed).numpy("data/mnist/subsample")
    return np.sort(rng.choice(n, size=max_rows, replace=False))


def sample_digit_counts(max_rows: int | None, *, seed: int) -> list[int]:
    """The rows of each digit (the strata its splits are drawn by) of the shipped sample as
    ``max_rows`` subsamples it for a run of ``seed``, from its labels alone (preflight's)."""
    labels = SAMPLE_DIR / SAMPLE_LABELS
    return _digit_counts(read_idx(_uncompressed(labels, field=None), source=str(labels)),
                         max_rows, seed=seed)  # fmt: skip


def root_digit_counts(config: MnistData, *, seed: int) -> tuple[list[int], bool] | None:
    """The rows of each digit (the strata its splits are drawn by) of a root's MNIST as
    ``max_rows`` subsamples it for a run of ``seed`` (preflight's), and whether ``max_rows``
    leaves rows out; None where the files are not all there yet (a download). The files are
    refused as the run refuses them (:func:`_check_pair`, :data:`NO_IMAGES`, a damaged .gz),
    the images by the shape their IDX header states (:func:`_idx_shape`): no pixel kept."""
    root = Path(config.root) if config.root is not None else DOWNLOAD_ROOT
    paths = _idx_paths(root / "MNIST" / "raw")
    if None in paths:
        return None
    digits = np.concatenate([_pair_labels(paths[i], paths[i + 1]) for i in (0, 2)])
    _some_images(len(digits), root)
    counts = _digit_counts(digits, config.max_rows, seed=seed)
    return counts, sum(counts) < len(digits)


def _pair_labels(images_file: Path, labels_file: Path) -> np.ndarray:
    """The labels of an IDX pair, checked as :func:`_read_pair` checks the pair (in its order:
    the images file, the labels, then the two together), the images by their header."""
    shape = _idx_shape(images_file, field="data.root")
    digits = read_idx(
        _uncompressed(labels_file, field="data.root"), source=str(labels_file), field="data.root"
    )
    _check_pair(shape, digits, images_file=images_file, labels_file=labels_file)
    return digits


def _some_images(n: int, root: Path) -> None:
    """Bad input naming ``data.root`` where its files hold no image (numpy's reshape error in
    the splits, an internal error)."""
    if not n:
        raise AuditorInputError(NO_IMAGES, source=str(root), field="data.root")


def _digit_counts(digits: np.ndarray, max_rows: int | None, *, seed: int) -> list[int]:
    """The rows of each digit 0-9 among ``digits`` that ``max_rows`` keeps (:func:`subsample`)."""
    keep = subsample(len(digits), max_rows, seed=seed)
    return np.bincount(digits if keep is None else digits[keep], minlength=10).tolist()


def check_root(config: MnistData) -> None:
    """Refuse a ``data.root`` without MNIST's raw files when nothing will be downloaded."""
    if config.root is None or config.download:
        return
    if _missing(Path(config.root) / "MNIST" / "raw"):
        raise _no_files(Path(config.root))


def _missing(raw: Path) -> list[str]:
    """The names of the four IDX files (:data:`IDX_FILES`) not in ``raw``, plain or .gz."""
    return [name for name, path in zip(IDX_FILES, _idx_paths(raw), strict=True) if path is None]


def _idx_paths(raw: Path) -> list[Path | None]:
    """Each of the four IDX files (:data:`IDX_FILES`) in ``raw``: the plain file where there is
    one, else the gzip-compressed one (``.gz``, as MNIST is distributed), else None."""
    return [next((p for p in (raw / name, raw / f"{name}.gz") if p.is_file()), None)
            for name in IDX_FILES]  # fmt: skip


def _no_files(root: Path) -> AuditorInputError:
    """Bad input naming ``data.root``: none of MNIST's files under it, or which it lacks."""
    missing = _missing(root / "MNIST" / "raw")
    message = (NO_FILES if len(missing) == len(IDX_FILES)
               else NOT_ALL_FILES.format(missing=", ".join(missing)))  # fmt: skip
    return AuditorInputError(message, source=str(root), field="data.root")


def _read_sample() -> tuple[np.ndarray, np.ndarray, dict[str, str]]:
    """pixels uint8 (5000, 28, 28), digits uint8 (5000,), sha256 per file of the uncompressed
    IDX content."""
    return _read_pair(SAMPLE_DIR / SAMPLE_IMAGES, SAMPLE_DIR / SAMPLE_LABELS, field=None)


def _read_pair(images_file: Path, labels_file: Path, *, field: str | None
               ) -> tuple[np.ndarray, np.ndarray, dict[str, str]]:  # fmt: skip
    """An IDX pair of images and their labels, each as it is or gzip-compressed (``.gz``: as
    MNIST is distributed; torchvision reads the uncompressed ones only), checked to be a pair
    (:func:`_check_pair`, naming ``field``): pixels uint8 (n, 28, 28), digits uint8 (n,), and
    each file's sha256 of its uncompressed content, by its name without .gz."""
    raws = [_uncompressed(images_file, field=field)]  # each file read, then the next
    images = read_idx(raws[0], source=str(images_file), field=field)
    raws.append(_uncompressed(labels_file, field=field))
    digits = read_idx(raws[1], source=str(labels_file), field=field)
    _check_pair(images.shape, digits, images_file=images_file, labels_file=labels_file, field=field)
    files = {path.name.removesuffix(".gz"): sha256_bytes(raw)
             for path, raw in zip((images_file, labels_file), raws, strict=True)}  # fmt: skip
    return images, digits, files


# An IDX file's gzip stream refused: the advice fits the fault (only a cut one is "in part")
GZIP_DAMAGED = "a damaged gzip file ({why}): {advice}"
CUT_SHORT = "downloaded or copied only in part? fetch it again"
CORRUPT = "its compressed bytes were changed (in a download or a copy?); fetch it again"
NOT_ONE_GZIP = (
    "not the gzip of one IDX file as gzip writes it (bytes after its end, or a header gzip "
    "does not write); fetch it again, or put the IDX file there uncompressed"
)
# zlib's words for a member's header (junk after a member reads as one): the rest are its data
HEADER_FAULTS = frozenset({"incorrect header check", "unknown compression method",
                           "unknown header flags set", "header crc mismatch"})  # fmt: skip


def _uncompressed(path: Path, *, field: str | None) -> bytes:
    """``path``'s bytes, gunzipped where they start with gzip's mark (:func:`_gunzip`)."""
    with path.open("rb") as file:
        gzipped = file.read(2) == GZIP_MARK
        file.seek(0)
        return b"".join(_gunzip(file, path=path, field=field)) if gzipped else file.read()


def _gunzip(file: BinaryIO, *, path: Path, field: str | None) -> Iterator[bytes]:
    """The gzip stream ``file`` holds (from where it is), gunzipped 1 MB at a time: each
    member's CRC and length checked by zlib, zero padding after a member skipped (as
    gzip.decompress does). A stream cut short or damaged (a flipped byte, a wrong CRC, bytes
    after it that are not gzip, a header flag or CRC gzip does not write) is bad input naming
    the file and ``field``, advised by its fault (Python said EOFError, an internal error);
    preflight and the run both read a .gz through this."""
    inflate, data = zlib.decompressobj(GZIP_WBITS), b""
    try:
        while data or (data := file.read(CHUNK)):
            if inflate.eof:  # a member ended: another follows, or zeros
                if not (data := data.lstrip(b"\0")):
                    continue
                inflate = zlib.decompressobj(GZIP_WBITS)
            yield inflate.decompress(data, CHUNK)  # at most 1 MB: no pixels piled up here
            data = inflate.unconsumed_tail or inflate.unused_data
        yield inflate.flush()  # what the last 1 MB left in zlib
        why, advice = (None, None) if inflate.eof else ("it ends mid-stream", CUT_SHORT)
    except zlib.error as exc:  # "Error -3 while decompressing data: incorrect data check"
        why = str(exc).rpartition(": ")[2] or type(exc).__name__
        advice = NOT_ONE_GZIP if why in HEADER_FAULTS else CORRUPT
    if why is not None:
        message = GZIP_DAMAGED.format(why=why, advice=advice)
        raise AuditorInputError(message, source=str(path), field=field)


def read_idx(raw: bytes, *, source: str, field: str | None = None) -> np.ndarray:
    """An IDX array of unsigned bytes (magic 0x0801 labels, 0x0803 images) as uint8 with the
    shape its header states; bad input naming ``source`` and ``field`` where it is not one."""
    shape, header = _idx_header(raw, source=source, field=field)
    _check_size(len(raw), shape, header, source=source, field=field)
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _idx_header(raw: bytes, *, source: str, field: str | None) -> tuple[tuple[int, ...], int]:
    """The shape an IDX file's header (``raw``'s first 16 bytes are enough) states, and the
    header's length; bad input naming ``source`` where it is no IDX file of unsigned bytes."""
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] != 0x08 or raw[3] not in (1, 3):
        raise AuditorInputError(BAD_IDX, source=source, field=field)
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return shape, 4 + 4 * ndim


def _check_size(length: int, shape: tuple[int, ...], header: int, *, source: str,
                field: str | None) -> None:  # fmt: skip
    """Bad input unless ``length`` bytes are the IDX ``header`` and the ``shape`` it states."""
    if length != header + math.prod(shape):
        message = f"{BAD_IDX} (size does not match shape {shape})"
        raise AuditorInputError(message, source=source, field=field)


def _idx_shape(path: Path, *, field: str) -> tuple[int, ...]:
    """The shape ``path``'s IDX header states, checked as :func:`read_idx` checks it (its
    length the one the header implies) without keeping a pixel: a plain file by its size, a
    .gz gunzipped through (:func:`_gunzip`: a damaged stream refused as the run refuses it,
    its true length counted, not the ISIZE's, which is mod 2**32), 1 MB at a time."""
    with path.open("rb") as file:
        head = file.read(IDX_HEAD)
        if head[:2] == GZIP_MARK:
            file.seek(0)
            head, length = b"", 0
            for part in _gunzip(file, path=path, field=field):
                head += part[: IDX_HEAD - len(head)]
                length += len(part)
        else:
            length = path.stat().st_size
    if len(head) < IDX_HEAD:  # all there is: no header of three sizes
        return read_idx(head, source=str(path), field=field).shape
    shape, header = _idx_header(head, source=str(path), field=field)
    _check_size(length, shape, header, source=str(path), field=field)
    return shape


def _read_raw(root: Path) -> tuple[np.ndarray, np.ndarray] | None:
    """The four IDX files in ``root``'s MNIST/raw (:func:`_idx_paths`; :func:`_read_pair`:
    train's pair, then t10k's), joined: pixels uint8 (n, 28, 28), digits uint8 (n,); None when
    one of them is missing."""
    paths = _idx_paths(root / "MNIST" / "raw")
    if None in paths:
        return None
    # each image its label: train's and t10k's pairs, not their totals
    train, test = (_read_pair(paths[i], paths[i + 1], field="data.root") for i in (0, 2))
    return np.concatenate([train[0], test[0]]), np.concatenate([train[1], test[1]])


def _check_pair(images: tuple[int, ...], digits: np.ndarray, *, images_file: Path,
                labels_file: Path, field: str | None = "data.root") -> None:  # fmt: skip
    """Bad input naming ``labels_file`` unless images of shape ``images`` (n, rows, cols) and
    ``digits`` (n,) are a pair (one label per image, in order) of digits 0-9; naming
    ``images_file`` unless its images are 28x28."""
    if not (len(images) == 3 and digits.ndim == 1 and images[0] == len(digits)):
        message = UNPAIRED.format(labels=len(digits), images=images[0], file=images_file.name)
        raise AuditorInputError(message, source=str(labels_file), field=field)
    if images[1:] != (28, 28):  # another size trained and was described as 28x28
        shape = "x".join(str(d) for d in images[1:])
        raise AuditorInputError(NOT_28X28.format(shape=shape), source=str(images_file),
                                field=field)  # fmt: skip
    wrong = np.flatnonzero(digits > 9)  # a label past 9 was an IndexError in training
    if len(wrong):
        message = NOT_DIGITS.format(value=int(digits[wrong[0]]), number=int(wrong[0]) + 1)
        raise AuditorInputError(message, source=str(labels_file), field=field)


def _read_torchvision(root: Path, *, download: bool) -> tuple[np.ndarray, np.ndarray]:
    """Train and test sets joined: pixels uint8 (70000, 28, 28), digits int64."""
    from torchvision import datasets

    parts = []
    made = [p for p in (root / "MNIST" / "raw", root / "MNIST", root) if not p.exists()]
    for train in (True, False):
        try:
            ds = datasets.MNIST(root=str(root), train=train, download=download)
        except (RuntimeError, OSError) as exc:
            for folder in made:  # the folders torchvision made for a download that failed
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
            raise _not_read(exc, root, download=download) from None
        parts.append((ds.data.numpy(), ds.targets.numpy()))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _not_read(exc: Exception, root: Path, *, download: bool) -> AuditorInputError:
    """torchvision's error (several lines: each mirror tried, its reason) as one line naming
    ``data.download`` when a download failed, else ``data.root``."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    reason = lines[-1] if lines else type(exc).__name__  # the last mirror's reason
    if download and "download" in str(exc).lower():
        message = NO_DOWNLOAD.format(raw=root / "MNIST" / "raw", reason=reason)
        return AuditorInputError(message, source=str(root), field="data.download")
    return AuditorInputError(f"{NO_FILES} ({' '.join(lines)})", source=str(root),
                             field="data.root")  # fmt: skip
