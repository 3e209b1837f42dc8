"""Reading an audit back names what is wrong with its path: a link loop is not "no such file"
(``Path.is_file`` and ``exists`` answer False for it), and a refused ``--out`` leaves no
folder behind."""

from __future__ import annotations

import pytest

from auditor.errors import AuditorInputError
from auditor.run_folder import read_audit


def test_a_link_loop_says_it_cannot_be_read(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(AuditorInputError, match="cannot read .*symbolic links"):
        read_audit(tmp_path / "a")


def test_a_missing_file_and_a_device_say_so(tmp_path):
    with pytest.raises(AuditorInputError, match="no such file"):
        read_audit(tmp_path / "nothing.json")
    with pytest.raises(AuditorInputError, match="not a regular file"):
        read_audit("/dev/null")
