"""A file hashed ahead (on its own thread) gives sha256_file the same digest as hashing it
then; a file changed since is hashed again; a missing file fails as before."""

from __future__ import annotations

import hashlib
import os

import pytest

from auditor import provenance


def test_hash_ahead_is_the_files_sha256(tmp_path):
    path = tmp_path / "preds.csv"
    data = os.urandom(3 * (1 << 20) + 17)  # several read chunks and a tail
    path.write_bytes(data)
    provenance.hash_ahead(path)
    started = provenance._AHEAD[os.path.abspath(path)][1]
    provenance.hash_ahead(path)  # the same file again: the hash under way is kept
    assert provenance._AHEAD[os.path.abspath(path)][1] is started
    assert provenance.sha256_file(path) == hashlib.sha256(data).hexdigest()
    assert os.path.abspath(path) not in provenance._AHEAD  # used once


def test_a_file_changed_after_the_hash_started_is_hashed_again(tmp_path):
    path = tmp_path / "preds.csv"
    path.write_bytes(b"a,b\n1,2\n")
    provenance.hash_ahead(path)
    path.write_bytes(b"a,b\n1,2\n3,4\n")  # another size: another stat
    assert provenance.sha256_file(path) == hashlib.sha256(b"a,b\n1,2\n3,4\n").hexdigest()


def test_a_missing_file_is_not_hashed_ahead_and_still_fails(tmp_path):
    path = tmp_path / "missing.csv"
    provenance.hash_ahead(path)
    assert os.path.abspath(path) not in provenance._AHEAD
    with pytest.raises(FileNotFoundError):
        provenance.sha256_file(path)
