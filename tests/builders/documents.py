"""Small real documents built in the tests: Word files, PDFs, zips."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence


def make_docx(
    paragraphs: list[tuple[str, str | None]],
    *,
    title: str = "",
    author: str = "",
    table: list[list[str]] | None = None,
) -> bytes:
    """A real Word document: (text, style) paragraphs, optional table, core properties."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(
    lines: list[str],
    *,
    title: str | None = None,
    author: str | None = None,
    created: str | None = None,
    user_password: str | None = None,
) -> bytes:
    """A one-page PDF whose content stream draws ``lines`` in Helvetica; optionally RC4-encrypted."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    if lines:
        escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
        ops = " T* ".join(f"({line}) Tj" for line in escaped)
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 12 Tf 14 TL 72 720 Td {ops} ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(content)
    metadata = {}
    if title:
        metadata["/Title"] = title
    if author:
        metadata["/Author"] = author
    if created:
        metadata["/CreationDate"] = created
    if metadata:
        writer.add_metadata(metadata)
    if user_password is not None:
        # RC4 needs no optional crypto library, so the fixture works everywhere.
        writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_zip(
    entries: Mapping[str, bytes] | Sequence[tuple[str | zipfile.ZipInfo, bytes]],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip archive written exactly as given (names are not sanitised), from (name, bytes) pairs or a mapping.

    An entry named by a string gets a fixed date, so the same entries always make the same bytes (an archive
    uploaded twice is a duplicate); an entry given as a ZipInfo keeps every field it was given.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items() if isinstance(entries, Mapping) else entries:
            if isinstance(name, str):
                name = zipfile.ZipInfo(name)
                name.compress_type = compression
                name.external_attr = 0o600 << 16
            archive.writestr(name, data)
    return buffer.getvalue()
