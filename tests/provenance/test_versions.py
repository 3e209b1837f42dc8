"""Library versions: read from each distribution's metadata header, equal to what
importlib.metadata.version parses, None for a library that is not installed."""

from __future__ import annotations

from importlib import metadata

from auditor import provenance


def test_versions_equal_importlib_metadata():
    versions = provenance.library_versions()
    assert set(versions) == {"python", *provenance.LIBRARIES}
    for name in provenance.LIBRARIES:
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = None
        assert versions[name] == expected, name


def test_a_missing_library_is_none():
    assert provenance._version("no-such-distribution-auditor") is None
