"""Building twice gives byte-identical pages, apart from the declared build metadata.

Declared metadata: the sitemap's ``<lastmod>`` dates, and the content of any element marked
``data-build-metadata`` (the build's date and commit). The second build runs with another
``SOURCE_DATE_EPOCH``, so a date leaking anywhere else would show up as a difference.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from pathlib import Path

import pytest
from builtsite import PINNED, build

pytestmark = pytest.mark.build

_METADATA_ELEMENT = re.compile(r"(<(\w+)[^>]*\bdata-build-metadata\b[^>]*>).*?(</\2>)", re.S)
_LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def normalised(name: str, data: bytes) -> bytes:
    """File content with the declared build metadata blanked."""
    if name.endswith(".gz"):
        return normalised(name[:-3], gzip.decompress(data))
    if name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return b"\n".join(
                info.filename.encode() + b"\0" + normalised(info.filename, archive.read(info))
                for info in archive.infolist()
            )
    if name.endswith("sitemap.xml"):
        return _LASTMOD.sub(b"<lastmod/>", data)
    if name.endswith(".html"):
        return _METADATA_ELEMENT.sub(r"\1\3", data.decode("utf-8")).encode("utf-8")
    return data


def test_two_builds_are_identical_apart_from_declared_metadata(site, tmp_path):
    second = tmp_path / "second"
    result = build(second, env={**PINNED, "SOURCE_DATE_EPOCH": "86400", "GITHUB_SHA": "0" * 40})
    assert result.returncode == 0, result.stdout + result.stderr
    first_files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    second_files = {p.relative_to(second).as_posix() for p in second.rglob("*") if p.is_file()}
    assert first_files == second_files
    different = [
        name for name in sorted(first_files)
        if normalised(name, (site / name).read_bytes()) != normalised(name, (second / name).read_bytes())
    ]
    assert not different, f"files that differ beyond the declared build metadata: {different}"


def test_most_files_are_byte_identical_outright(site, tmp_path):
    """Only files that carry metadata may differ at all: the rest are compared raw."""
    second = tmp_path / "raw"
    assert build(second, env=PINNED).returncode == 0
    for path in site.rglob("*"):
        if path.is_file() and not path.name.startswith("sitemap"):
            other = second / path.relative_to(site)
            if b"data-build-metadata" not in path.read_bytes():
                assert path.read_bytes() == other.read_bytes(), Path(path).relative_to(site)
