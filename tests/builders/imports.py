"""Real documents and archives built in the tests: Word files, PDFs, zips, feeds, JSON Lines."""

from __future__ import annotations

import io
import json
import zipfile


def make_docx(paragraphs: list[tuple[str, str | None]], *, title: str = "", author: str = "") -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(lines: list[str], *, title: str | None = None, author: str | None = None,
             password: str | None = None) -> bytes:
    """A one-page PDF drawing `lines` in Helvetica (a real text layer), optionally encrypted."""
    from pypdf import PdfReader, PdfWriter

    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    stream = ("BT /F1 12 Tf 14 TL 72 720 Td " + " T* ".join(f"({line}) Tj" for line in escaped) + " ET").encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
         b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    data = out.getvalue()
    if title or author or password:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        meta = {}
        if title:
            meta["/Title"] = title
        if author:
            meta["/Author"] = author
        if meta:
            writer.add_metadata(meta)
        if password:
            writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
    return data


def make_zip(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return buffer.getvalue()


def make_jsonl(rows: list[dict | str]) -> bytes:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_rss(items: list[dict], *, title: str = "Test feed") -> bytes:
    entries = "".join(
        f"<item><title>{i['title']}</title><link>{i['link']}</link><guid>{i['guid']}</guid>"
        f"<pubDate>Tue, 06 Jan 2026 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[{i.get('summary', '')}]]></description></item>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def article_text(n: int, *, words: int = 120) -> str:
    """A distinct, realistic article body: numbers, names and a quote, so each one hashes differently."""
    sentences = [
        f"The council approved a budget of £{4 + n % 7}.{n % 10} million for the project on Tuesday.",
        f"Inspectors found corrosion in {10 + n % 80} percent of the supports, according to report {n}.",
        f"\"We had no choice,\" said Margaret Okafor, the council leader, in statement number {n}.",
        "Opposition members said the closure would hurt local businesses along the river.",
        f"Traffic on the bridge averaged {18000 + n} vehicles a day in 2023, a survey found.",
    ]
    body, i = [], 0
    while sum(len(s.split()) for s in body) < words:
        body.append(sentences[i % len(sentences)])
        i += 1
    return f"Bridge report {n}\n\n" + " ".join(body)
