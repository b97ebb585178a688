"""Reading uploaded zip archives safely: no traversal, no symlinks, no decompression bombs."""

from __future__ import annotations

import io
import posixpath
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import IngestError, format_size
from .sniff import ZIP_INVALID, extension_of

__all__ = ["ArchiveError", "ArchiveMember", "iter_zip"]

_CHUNK = 64 * 1024
# Ratios are only judged once an entry has produced this much data: tiny files
# of repeated characters compress extremely well and are harmless.
_RATIO_GRACE_BYTES = 1024 * 1024
_NESTED_ARCHIVE_EXTENSIONS = frozenset({".zip", ".jar", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst"})
_ZIP_BASED_DOCUMENTS = frozenset({".docx"})
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class ArchiveMember:
    """A file from the archive that passed every check; ``name`` is its path inside the archive."""

    name: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ArchiveError:
    """An entry that was refused, with a user-facing ``message``; the rest of the archive is unaffected."""

    name: str
    message: str


def iter_zip(
    data: bytes,
    *,
    max_total_bytes: int,
    max_entries: int,
    max_ratio: float,
    max_file_bytes: int,
) -> Iterator[ArchiveMember | ArchiveError]:
    """Yield the files of a zip archive, or a refusal for each entry that is unsafe.

    Per entry (reported as :class:`ArchiveError`, the others still come through):
    ``../`` traversal, absolute paths, symbolic links, nested archives,
    password-protected entries, corrupt entries and files over ``max_file_bytes``.
    Skipped silently: directories, ``__MACOSX/`` and dotfiles.

    For the whole archive (raised as :class:`IngestError`): not a zip, more than
    ``max_entries`` entries, more than ``max_total_bytes`` once decompressed, or an
    entry that inflates by more than ``max_ratio`` (a decompression bomb). Sizes
    are counted while decompressing in chunks, not taken from the headers. The
    whole archive is checked when ``iter_zip`` is called, before anything is
    yielded, so a hostile archive never fails half-way through an import; memory
    use is bounded by ``max_total_bytes``.
    """
    return iter(_read_zip(data, max_total_bytes, max_entries, max_ratio, max_file_bytes))


def _read_zip(
    data: bytes, max_total_bytes: int, max_entries: int, max_ratio: float, max_file_bytes: int
) -> list[ArchiveMember | ArchiveError]:
    if not data:
        raise IngestError("The file is empty.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError(ZIP_INVALID) from exc

    results: list[ArchiveMember | ArchiveError] = []
    with archive:
        infos = archive.infolist()
        if len(infos) > max_entries:
            raise IngestError(f"The archive holds more than {max_entries} files; split it into smaller archives.")
        if sum(info.file_size for info in infos) > max_total_bytes:
            raise IngestError(f"The archive expands to more than the {format_size(max_total_bytes)} limit.")
        for info in infos:
            if info.file_size > _RATIO_GRACE_BYTES and info.file_size / _packed_size(info, data) > max_ratio:
                raise IngestError(_bomb(info.filename, max_ratio))

        total = 0
        for info in infos:
            name = info.filename
            if info.is_dir() or _is_hidden(name):
                continue
            problem = _entry_problem(info)
            if problem is not None:
                results.append(ArchiveError(name, problem))
                continue
            if info.file_size > max_file_bytes:
                results.append(ArchiveError(name, _too_large(max_file_bytes)))
                continue
            try:
                content = _read_entry(
                    archive,
                    info,
                    max_ratio=max_ratio,
                    max_file_bytes=max_file_bytes,
                    budget=max_total_bytes - total,
                    archive_size=len(data),
                )
            except _EntryTooLarge:
                results.append(ArchiveError(name, _too_large(max_file_bytes)))
                continue
            except (
                zipfile.BadZipFile,
                zipfile.LargeZipFile,
                OSError,
                EOFError,
                ValueError,
                NotImplementedError,
                RuntimeError,
            ):
                # Includes entries whose data overruns the size in their header:
                # zipfile stops at the declared size and the CRC check then fails.
                results.append(ArchiveError(name, "This file in the archive is damaged and could not be read."))
                continue
            total += len(content)
            if content.startswith((b"PK\x03\x04", b"PK\x05\x06")) and extension_of(name) not in _ZIP_BASED_DOCUMENTS:
                results.append(ArchiveError(name, _NESTED))
                continue
            results.append(ArchiveMember(name, content))
    return results


_NESTED = "Archives inside archives are not imported; upload this archive on its own."


class _EntryTooLarge(Exception):
    pass


def _bomb(name: str, max_ratio: float) -> str:
    return f"Refused: '{name}' expands more than {max_ratio:g} times; the archive looks like a decompression bomb."


def _too_large(limit: int) -> str:
    return f"This file is larger than the {format_size(limit)} limit."


def _is_hidden(name: str) -> bool:
    parts = [p for p in name.replace("\\", "/").split("/") if p]
    return any(p == "__MACOSX" or (p.startswith(".") and p not in (".", "..")) for p in parts)


def _entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    unified = name.replace("\\", "/")
    if unified.startswith("/") or _WINDOWS_DRIVE.match(unified):
        return "Refused: this entry has an absolute path."
    if ".." in unified.split("/") or posixpath.normpath(unified).startswith(".."):
        return "Refused: this entry's path points outside the archive ('..')."
    if "\x00" in name:
        return "Refused: this entry's name is not valid."
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        return "Refused: symbolic links are not imported."
    if info.flag_bits & 0x1:
        return "This file is password-protected; add it without a password."
    if extension_of(name) in _NESTED_ARCHIVE_EXTENSIONS:
        return _NESTED
    return None


def _packed_size(info: zipfile.ZipInfo, data: bytes | int) -> int:
    """The entry's compressed size, never more than the whole archive (headers can lie)."""
    archive_size = data if isinstance(data, int) else len(data)
    return max(1, min(info.compress_size, archive_size))


def _read_entry(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    max_ratio: float,
    max_file_bytes: int,
    budget: int,
    archive_size: int,
) -> bytes:
    compressed = _packed_size(info, archive_size)
    buffer = io.BytesIO()
    read = 0
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read > budget:
                raise IngestError("The archive expands to more data than allowed; it may be a decompression bomb.")
            if read > _RATIO_GRACE_BYTES and read / compressed > max_ratio:
                raise IngestError(_bomb(info.filename, max_ratio))
            if read > max_file_bytes:
                raise _EntryTooLarge
            buffer.write(chunk)
    return buffer.getvalue()
