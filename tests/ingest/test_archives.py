from __future__ import annotations

import stat
import struct
import zipfile

import pytest

from factcheck.ingest import ArchiveError, ArchiveMember, IngestError, iter_zip

from tests.builders.documents import make_docx, make_zip

MB = 1024 * 1024
LIMITS = {"max_total_bytes": 100 * MB, "max_entries": 100, "max_ratio": 100.0, "max_file_bytes": 10 * MB}


def read(data: bytes, **overrides: float) -> list[ArchiveMember | ArchiveError]:
    return list(iter_zip(data, **{**LIMITS, **overrides}))  # type: ignore[arg-type]


def errors(results: list[ArchiveMember | ArchiveError]) -> dict[str, str]:
    return {r.name: r.message for r in results if isinstance(r, ArchiveError)}


def members(results: list[ArchiveMember | ArchiveError]) -> dict[str, bytes]:
    return {r.name: r.data for r in results if isinstance(r, ArchiveMember)}


def test_files_come_through_with_their_paths() -> None:
    docx = make_docx([("Ford denied it.", None)])
    results = read(make_zip([("a.txt", b"Ford denied it."), ("sub/b.html", b"<p>x</p>"), ("c.docx", docx)]))
    assert members(results) == {"a.txt": b"Ford denied it.", "sub/b.html": b"<p>x</p>", "c.docx": docx}
    assert errors(results) == {}


def test_directories_macosx_and_dotfiles_are_skipped() -> None:
    results = read(
        make_zip(
            [
                ("folder/", b""),
                ("__MACOSX/._a.txt", b"\x00\x05\x16\x07"),
                (".DS_Store", b"\x00\x00\x00\x01Bud1"),
                ("folder/.hidden.txt", b"x"),
                ("folder/a.txt", b"kept"),
            ]
        )
    )
    assert [r.name for r in results] == ["folder/a.txt"]


@pytest.mark.parametrize("name", ["../evil.txt", "a/../../evil.txt", "..\\..\\evil.txt", "safe/..\\..\\x.txt"])
def test_path_traversal_is_refused(name: str) -> None:
    results = read(make_zip([(name, b"owned"), ("ok.txt", b"fine")]))
    assert "outside the archive" in errors(results)[name]
    assert members(results) == {"ok.txt": b"fine"}


@pytest.mark.parametrize("name", ["/etc/passwd", "C:/Windows/evil.txt", "\\\\server\\share\\x.txt"])
def test_absolute_paths_are_refused(name: str) -> None:
    results = read(make_zip([(name, b"owned")]))
    assert errors(results) == {name: "Refused: this entry has an absolute path."}


def test_symlinks_are_refused() -> None:
    link = zipfile.ZipInfo("link.txt")
    link.create_system = 3  # Unix
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    results = read(make_zip([(link, b"/etc/passwd"), ("ok.txt", b"fine")]))
    assert errors(results) == {"link.txt": "Refused: symbolic links are not imported."}
    assert members(results) == {"ok.txt": b"fine"}


def test_nested_zips_are_reported_not_opened() -> None:
    inner = make_zip([("deep.txt", b"inside")])
    results = read(make_zip([("inner.zip", inner), ("disguised.txt", inner), ("ok.txt", b"fine")]))
    nested = errors(results)
    assert set(nested) == {"inner.zip", "disguised.txt"}
    assert all("Archives inside archives" in message for message in nested.values())
    assert members(results) == {"ok.txt": b"fine"}


def test_password_protected_entry_is_reported() -> None:
    data = bytearray(make_zip([("locked.txt", b"ciphertext")], compression=zipfile.ZIP_STORED))
    # zipfile cannot write encrypted entries; set the "encrypted" flag bit by hand.
    data[6] |= 0x1  # local header: general purpose flags
    data[data.index(b"PK\x01\x02") + 8] |= 0x1  # central directory: general purpose flags
    results = read(bytes(data))
    assert errors(results) == {"locked.txt": "This file is password-protected; add it without a password."}


def test_decompression_bomb_is_refused_for_the_whole_archive() -> None:
    bomb = make_zip([("ok.txt", b"fine"), ("zeros.txt", bytes(50 * MB))])
    assert len(bomb) < 200 * 1024  # 50 MB of zeros packs into well under 200 KB
    with pytest.raises(IngestError, match="decompression bomb"):
        read(bomb)


def test_bomb_is_refused_before_anything_is_yielded() -> None:
    """The whole archive is checked up front, so an import never stops half-way."""
    data = make_zip([("ok.txt", b"fine"), ("zeros.txt", bytes(20 * MB))])
    with pytest.raises(IngestError):
        iter_zip(data, **LIMITS)  # type: ignore[arg-type]


def test_total_size_limit() -> None:
    data = make_zip([(f"f{i}.txt", bytes([65 + i]) * MB) for i in range(3)], compression=zipfile.ZIP_STORED)
    with pytest.raises(IngestError, match="expands to more than the 2 MB limit"):
        read(data, max_total_bytes=2 * MB)


def test_entry_count_limit() -> None:
    data = make_zip([(f"f{i}.txt", b"x") for i in range(4)])
    with pytest.raises(IngestError, match="more than 3 files"):
        read(data, max_entries=3)


def test_single_file_over_its_limit_is_reported_and_the_rest_continue() -> None:
    data = make_zip([("big.txt", b"a" * (2 * MB)), ("ok.txt", b"fine")], compression=zipfile.ZIP_STORED)
    results = read(data, max_file_bytes=MB)
    assert errors(results) == {"big.txt": "This file is larger than the 1 MB limit."}
    assert members(results) == {"ok.txt": b"fine"}


def test_header_that_understates_the_size_is_not_trusted() -> None:
    """A bomb that lies about its size in the headers is cut off and reported, never inflated."""
    data = bytearray(make_zip([("liar.txt", bytes(5 * MB))]))
    struct.pack_into("<I", data, 22, 1000)  # local header: uncompressed size
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)  # central directory: uncompressed size
    results = read(bytes(data))
    assert errors(results) == {"liar.txt": "This file in the archive is damaged and could not be read."}


@pytest.mark.parametrize("data", [b"not a zip at all", b"PK\x03\x04" + b"\x00" * 40])
def test_not_a_zip(data: bytes) -> None:
    with pytest.raises(IngestError, match="not a valid zip archive"):
        read(data)


def test_empty_archive_yields_nothing() -> None:
    assert read(make_zip([])) == []
