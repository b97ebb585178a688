"""Turning uploaded bytes into text: BOMs, UTF-8, UTF-16 and legacy encodings."""

from __future__ import annotations

import codecs
import unicodedata

import charset_normalizer

from .errors import IngestError

__all__ = ["BINARY_MESSAGE", "EMPTY_MESSAGE", "decode_text", "looks_binary"]

EMPTY_MESSAGE = "The file is empty."
BINARY_MESSAGE = "This file looks like binary data, not text."

# Longest BOM first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of common binary formats. Any of these in a "text" upload is a
# mislabelled file, whatever a charset detector might make of the remaining bytes.
_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF-",
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"\x7fELF",
    b"MZ\x90\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE2: legacy .doc/.xls
    b"SQLite format 3\x00",
    b"RIFF",
    b"\x00\x00\x01\x00",  # .ico
)

# Characters beyond ASCII that Western-European text in Windows-1252 is made of:
# accented Latin letters and typographic punctuation. Superscripts, fractions of
# odd use, "ð", "þ", "×" and the like are left out: they are what Cyrillic, Greek,
# Turkish or Central-European bytes turn into when misread as cp1252.
_WESTERN = (
    frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœšžßÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŒŠŽŸ")
    | frozenset("‘’‚“”„–—…€™•£¥©®°±·«»¼½¾¡¿§¶¢")
    | {"\u00a0"}  # no-break space
)

# Share of control characters (other than ordinary whitespace) above which the
# "text" is taken to be binary. Real text files may carry the odd form feed or
# escape code, never this many.
_MAX_CONTROL_RATIO = 0.05


def decode_text(data: bytes) -> str:
    """Decode uploaded bytes to ``str``.

    Order: a byte-order mark (UTF-8/16/32) decides; otherwise UTF-16 without a BOM
    is recognised by its pattern of NUL bytes; otherwise strict UTF-8; otherwise
    Windows-1252 (the encoding behind most mis-saved newsroom copy) when its
    reading holds only Western letters and typographic marks; otherwise the
    legacy encoding charset-normalizer finds. A leading BOM is removed. Raises :class:`IngestError` for empty input
    and for data that is binary rather than text.
    """
    if not data:
        raise IngestError(EMPTY_MESSAGE)
    if data.startswith(_BINARY_MAGIC):
        raise IngestError(BINARY_MESSAGE)

    text = _decode_by_bom(data)
    if text is None and b"\x00" in data:
        text = _decode_utf16_without_bom(data)
        if text is None:
            raise IngestError(BINARY_MESSAGE)
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data)
    if looks_binary(text):
        raise IngestError(BINARY_MESSAGE)
    return text


def looks_binary(text: str) -> bool:
    """True when decoded text is mostly control characters (or has any NUL)."""
    if "\x00" in text:
        return True
    if not text:
        return False
    controls = sum(1 for ch in text if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc")
    return controls / len(text) > _MAX_CONTROL_RATIO


def _decode_by_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _decode_utf16_without_bom(data: bytes) -> str | None:
    """Recognise BOM-less UTF-16 by NULs in every other byte (Latin-script text)."""
    sample = data[: 64 * 1024]
    sample = sample[: len(sample) - len(sample) % 2]
    if not sample:
        return None
    half = len(sample) // 2
    nul_even = sample[0::2].count(0) / half
    nul_odd = sample[1::2].count(0) / half
    if nul_odd > 0.3 and nul_even < 0.05:
        encoding = "utf-16-le"
    elif nul_even > 0.3 and nul_odd < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    if len(data) % 2:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _decode_legacy(data: bytes) -> str:
    """Bytes that are not UTF-8: Windows-1252 when it reads as Western text, else detection."""
    cp1252 = _try_decode(data, "cp1252")
    # Newsroom copy that is not UTF-8 is overwhelmingly Windows-1252 (Word, old
    # CMS exports). Detectors confuse it with its Central-European sibling on
    # short texts ("Crêpe" read as "Crępe"), so when the cp1252 reading contains
    # nothing but Western letters and typographic marks, it is taken as is.
    if cp1252 is not None and all(ch.isascii() or ch in _WESTERN for ch in cp1252):
        return cp1252
    matches = [
        match
        for match in charset_normalizer.from_bytes(data)
        # UTF-16/32 are handled above; without NULs a "UTF-16" guess is noise.
        if not match.encoding.startswith(("utf_16", "utf_32"))
    ]
    if matches:
        return str(matches[0])
    if cp1252 is not None:
        return cp1252
    raise IngestError(BINARY_MESSAGE)


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None
