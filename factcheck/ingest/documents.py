"""Single documents: bytes of a .txt, .md, .html, .docx or .pdf file -> text and metadata."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import logging
import posixpath
import re
import zipfile
from xml.etree import ElementTree
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .dates import parse_datetime
from .errors import IngestError, format_size
from .normalise import is_title_like
from .sniff import DOCUMENT_KINDS, DOCX_INVALID, sniff_kind
from .text import BINARY_MESSAGE, EMPTY_MESSAGE, decode_text, looks_binary

__all__ = ["MIME_TYPES", "ParsedDocument", "parse_document", "parse_html", "safe_http_url"]

log = logging.getLogger(__name__)

MIME_TYPES: dict[str, str] = {
    "txt": "text/plain",
    "md": "text/markdown",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

NO_TEXT_MESSAGE = "No readable text was found in this file."

# A .docx is a zip. Python's zipfile never inflates an entry past the size its
# header declares (it fails the CRC check instead), so bounding the declared
# sizes bounds what the small parts read whole can hold; the document itself is streamed.
_DOCX_MIN_EXPANDED_LIMIT = 64 * 1024 * 1024
_DOCX_EXPANSION_FACTOR = 20
_PDF_MAX_PAGES = 2000


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedDocument:
    """Text and metadata extracted from one uploaded or fetched document.

    ``text`` is the raw main text, paragraphs separated by blank lines; run it
    through :func:`~factcheck.ingest.normalise` to get the article body.
    ``published_at`` is timezone-aware when the source states an offset, naive
    otherwise. ``url`` is the canonical http(s) address when known.
    ``content_type`` is the MIME type of the detected ``kind``.
    """

    title: str
    text: str
    byline: str | None = None
    published_at: dt.datetime | None = None
    site_name: str | None = None
    url: str | None = None
    language: str | None = None
    filename: str = ""
    content_type: str = "text/plain"
    kind: str = "txt"


def parse_document(
    data: bytes,
    *,
    filename: str,
    content_type: str | None = None,
    max_bytes: int,
    url: str | None = None,
) -> ParsedDocument:
    """Extract text and metadata from one document.

    The type comes from the extension, checked against the content (see
    :func:`~factcheck.ingest.sniff_kind`); ``content_type`` helps when the name
    has no extension (fetched pages). ``url`` is where the document came from,
    used for HTML metadata and relative links. Raises :class:`IngestError` with a
    user-facing message for empty, oversized, unsupported, damaged or encrypted
    files and for files with no readable text.
    """
    if len(data) > max_bytes:
        raise IngestError(f"The file is larger than the {format_size(max_bytes)} limit.")
    if not data:
        raise IngestError(EMPTY_MESSAGE)
    kind = sniff_kind(filename, data, content_type=content_type, allowed=DOCUMENT_KINDS)
    base = {"filename": filename, "content_type": MIME_TYPES[kind], "kind": kind}
    if kind == "html":
        doc = parse_html(decode_html(data, content_type=content_type), url=url, **base)
    elif kind == "docx":
        doc = _parse_docx(data, max_bytes=max_bytes, url=url, **base)
    elif kind == "pdf":
        doc = _parse_pdf(data, url=url, **base)
    elif kind == "md":
        doc = _parse_markdown(decode_text(data), url=url, **base)
    else:
        doc = _parse_plain(decode_text(data), url=url, **base)
    if not doc.text.strip():
        raise IngestError(NO_TEXT_MESSAGE)
    return doc


# --- helpers shared by the parsers -----------------------------------------------------


def safe_http_url(value: object) -> str | None:
    """``value`` if it is an absolute http(s) URL with a host, else ``None``."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return value


def _clean_meta(value: object, *, limit: int = 500) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:limit] or None


def _stem(filename: str) -> str:
    base = posixpath.basename(filename.replace("\\", "/"))
    return posixpath.splitext(base)[0].strip() or "Untitled"


_NAME_PARTS_RE = re.compile(r"[\s_.\-]+")
_OPENING_TITLE_CHARS = 90


def _readable_stem(filename: str) -> str | None:
    """The file's name when it reads as words ("budget-talks-resume", "budget"), not as an identifier
    ("000_1d607d15b9b927fc", "IMG_2041", "scan-3"), which would be a poor title."""
    stem = _stem(filename)
    parts = [p for p in _NAME_PARTS_RE.split(stem) if p]
    words = [p for p in parts if p.isalpha() and len(p) > 1]
    return stem if words and (len(words) >= 2 or len(parts) == 1) else None


def _opening_title(text: str) -> str | None:
    """The start of the first line, cut at a word before _OPENING_TITLE_CHARS with an ellipsis when longer.

    Never the first line itself: the body drops paragraphs that repeat the title, and this line is content (a
    sentence, not a headline). A whole sentence loses its final full stop; anything else gets an ellipsis."""
    first = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), "")
    if not any(ch.isalpha() for ch in first):
        return None
    if len(first) > _OPENING_TITLE_CHARS:
        cut = first[:_OPENING_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(",;:–— ")
        return f"{cut}\u2026"
    shorter = first.rstrip(".")
    return shorter if shorter and shorter != first else f"{first}\u2026"


def _untitled(text: str, filename: str) -> str:
    """A title for a document that names none: its file's name if that reads as words, else its opening."""
    return _readable_stem(filename) or _opening_title(text) or _stem(filename)


def _first_line_title(text: str) -> str | None:
    """The first line when it reads like a headline and more text follows it."""
    lines = [line.strip() for line in text.strip().splitlines()]
    if len(lines) < 2:
        return None
    first = " ".join(lines[0].split())
    return first if is_title_like(first) else None


def _paragraph_text(blocks: list[str]) -> str:
    return "\n\n".join(b.strip() for b in blocks if b and b.strip())


# --- plain text and markdown -------------------------------------------------------------


def _parse_plain(text: str, *, url: str | None, filename: str, **base: Any) -> ParsedDocument:
    title = _first_line_title(text) or _untitled(text, filename)
    return ParsedDocument(title=title, text=text.strip(), url=safe_http_url(url), filename=filename, **base)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_MATTER_FIELD = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$", re.MULTILINE)


def _parse_markdown(text: str, *, url: str | None, filename: str, **base: Any) -> ParsedDocument:
    from markdown_it import MarkdownIt

    meta: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        meta = {k.lower(): v.strip("\"' ") for k, v in _FRONT_MATTER_FIELD.findall(match.group(1))}
        text = text[match.end() :]

    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    blocks: list[str] = []
    first_heading: str | None = None
    tokens = md.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "inline":
            rendered = _inline_text(token.children or [])
            if index > 0 and tokens[index - 1].type == "heading_open" and first_heading is None:
                first_heading = " ".join(rendered.split())
            blocks.append(rendered)
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content)
        elif token.type == "html_block":
            blocks.append(re.sub(r"<[^>]*>", " ", token.content))
    title = _clean_meta(meta.get("title")) or first_heading or _untitled(_paragraph_text(blocks), filename)
    return ParsedDocument(
        title=title,
        text=_paragraph_text(blocks),
        byline=_clean_meta(meta.get("author")),
        published_at=parse_datetime(meta.get("date")),
        url=safe_http_url(meta.get("url")) or safe_http_url(url),
        language=_clean_meta(meta.get("lang") or meta.get("language"), limit=20),
        filename=filename,
        **base,
    )


def _inline_text(children: list[Any]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        # Images, raw inline HTML and link targets are markup, not article text;
        # link text arrives as separate "text" children.
    return "".join(parts)


# --- HTML ---------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE)
_PUBLISHED_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@property="og:article:published_time"]/@content',
    '//meta[@name="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    (
        '//meta[@name="pubdate" or @name="publishdate" or @name="date" or @name="DC.date.issued" '
        'or @name="dc.date" or @name="sailthru.date" or @name="parsely-pub-date"]/@content'
    ),
    "//time[@itemprop='datePublished']/@datetime",
)
_JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')


def decode_html(data: bytes, *, content_type: str | None = None) -> str:
    """Decode HTML bytes: BOM, then the HTTP charset, then ``<meta charset>``, then detection."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_text(data)
    declared: list[str] = []
    if content_type and "charset=" in content_type.lower():
        declared.append(content_type.lower().split("charset=", 1)[1].split(";")[0].strip("\"' "))
    match = _META_CHARSET.search(data[:8192])
    if match:
        declared.append(match.group(1).decode("ascii", "ignore"))
    for name in declared:
        try:
            encoding = codecs.lookup(name).name
        except LookupError:
            continue
        if encoding.startswith(("utf-16", "utf-32")):
            continue  # a page that could declare this in ASCII is not UTF-16
        if encoding == "latin-1" or encoding == "iso8859-1":
            encoding = "cp1252"  # what browsers do, per the WHATWG encoding standard
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_binary(text):
            raise IngestError(BINARY_MESSAGE)
        return text
    return decode_text(data)


def parse_html(
    html: str,
    *,
    url: str | None = None,
    filename: str = "",
    content_type: str = MIME_TYPES["html"],
    kind: str = "html",
) -> ParsedDocument:
    """Main text and metadata of an HTML page (already decoded to ``str``).

    trafilatura finds the article text and its title, author, date, site name and
    canonical URL; when it finds no main text (a fragment, a very short page) the
    page's whole visible text is used instead. Raises :class:`IngestError` when
    the markup holds no readable text at all.
    """
    import trafilatura

    if not html.strip():
        raise IngestError(EMPTY_MESSAGE)
    tree = _load_html(html)
    if tree is None:
        raise IngestError("This HTML file could not be read; it may be damaged or not HTML at all.")

    extracted: Any  # a trafilatura Document (with_metadata and no as_dict) or None
    try:
        extracted = trafilatura.bare_extraction(
            tree,
            url=safe_http_url(url),
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            date_extraction_params={"outputformat": "%Y-%m-%dT%H:%M:%S%z", "original_date": True},
        )
    except Exception:  # a parser bug on odd markup must not crash an import
        log.warning("trafilatura failed on %s", filename or url, exc_info=True)
        extracted = None

    if extracted is not None and extracted.text and extracted.text.strip():
        lines = extracted.text.splitlines()
    else:
        # Too little for trafilatura's article heuristics: keep every visible line.
        lines = trafilatura.html2txt(tree).splitlines()
    text = _paragraph_text(lines)
    if not any(ch.isalnum() for ch in text):
        raise IngestError("No readable text was found in this HTML page.")

    title = _clean_meta(getattr(extracted, "title", None))
    if not title:
        found = tree.xpath("//title/text()")
        title = _clean_meta(found[0]) if found else None
    published = _html_published_at(tree, html) or parse_datetime(getattr(extracted, "date", None))
    return ParsedDocument(
        title=title or _first_line_title(text) or (_untitled(text, filename) if filename else "Untitled"),
        text=text,
        byline=_clean_meta(getattr(extracted, "author", None)),
        published_at=published,
        site_name=_clean_meta(getattr(extracted, "sitename", None)),
        url=safe_http_url(getattr(extracted, "url", None)) or safe_http_url(url),
        language=_html_language(tree),
        filename=filename,
        content_type=content_type,
        kind=kind,
    )


def _load_html(html: str) -> Any:
    """An lxml tree for the markup; fragments and broken pages included, where lxml can recover them."""
    import lxml.etree
    import lxml.html
    import trafilatura

    parse_errors = (ValueError, TypeError, lxml.etree.LxmlError)
    try:
        tree = trafilatura.load_html(html)
    except parse_errors:
        tree = None
    if tree is not None:
        return tree
    # trafilatura rejects fragments (a lone <p>); lxml's document parser wraps them.
    try:
        return lxml.html.document_fromstring(html)
    except parse_errors:
        return None


def _html_published_at(tree: Any, html: str) -> dt.datetime | None:
    """A precise publication timestamp from meta tags or JSON-LD, offset included."""
    for xpath in _PUBLISHED_XPATHS:
        for value in tree.xpath(xpath):
            parsed = parse_datetime(str(value))
            if parsed is not None:
                return parsed
    match = _JSON_LD_DATE.search(html)
    return parse_datetime(match.group(1)) if match else None


def _html_language(tree: Any) -> str | None:
    candidates = tree.xpath("/html/@lang | /html/@xml:lang") + tree.xpath(
        '//meta[translate(@http-equiv, "CONTENT-LANGUAGE", "content-language")="content-language"]/@content'
    )
    candidates += tree.xpath('//meta[@property="og:locale"]/@content')
    for value in candidates:
        code = str(value).strip().replace("_", "-")
        if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*", code):
            return code
    return None


# --- Word --------------------------------------------------------------------------------


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_CORE_FIELDS = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}creator": "author",
    "{http://purl.org/dc/elements/1.1/}language": "language",
    "{http://purl.org/dc/terms/}created": "created",
}
# Small parts (relationships, styles, core properties) are read whole; anything bigger is not a real one.
_DOCX_SMALL_PART = 4 * 1024 * 1024
# Bounded work whatever the file holds: paragraphs and table rows, characters of text, XML elements read.
DOCX_MAX_PARAGRAPHS = 20_000
DOCX_MAX_CHARS = 2_000_000
_DOCX_MAX_ELEMENTS = 1_000_000
_HEADING_STYLES = {"title", "heading 1"}


def _docx_part_path(archive: zipfile.ZipFile) -> str:
    """Where the main document part is: the package's officeDocument relationship, else the usual name."""
    try:
        info = archive.getinfo("_rels/.rels")
    except KeyError:
        return "word/document.xml"
    if info.file_size > _DOCX_SMALL_PART:
        raise IngestError(DOCX_INVALID)
    for rel in ElementTree.fromstring(archive.read(info)):
        if rel.get("Type") == _REL_OFFICE and rel.get("Target"):
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    return "word/document.xml"


def _docx_small_part(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _DOCX_SMALL_PART:
        return None
    try:
        return ElementTree.fromstring(archive.read(info))
    except ElementTree.ParseError:
        return None


def _docx_heading_style_ids(archive: zipfile.ZipFile, part: str) -> set[str]:
    """Ids of the paragraph styles named "Title" or "Heading 1" (a paragraph names its style by id)."""
    ids = {"Title", "Heading1"}
    styles = _docx_small_part(archive, posixpath.join(posixpath.dirname(part), "styles.xml"))
    if styles is not None:
        for style in styles.iter(f"{_W}style"):
            name = style.find(f"{_W}name")
            if name is not None and (name.get(f"{_W}val") or "").lower() in _HEADING_STYLES:
                ids.add(style.get(f"{_W}styleId") or "")
    return ids


def _docx_core(archive: zipfile.ZipFile) -> dict[str, str]:
    core = _docx_small_part(archive, "docProps/core.xml")
    if core is None:
        return {}
    return {_CORE_FIELDS[child.tag]: (child.text or "") for child in core if child.tag in _CORE_FIELDS}


def _docx_created(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        created = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    # OOXML stores core dates in UTC (W3CDTF with "Z").
    return created if created.tzinfo is not None else created.replace(tzinfo=dt.UTC)


class _DocxBody:
    """The main document part read as a stream of XML events, keeping only the paragraph being read.

    Body paragraphs become blocks; a table becomes one block per row, its cells joined with " | ".
    Raises IngestError past the paragraph, character or element limits, so a small file that expands to
    millions of paragraphs costs a bounded amount of work.
    """

    def __init__(self, heading_ids: set[str], *, max_paragraphs: int, max_chars: int) -> None:
        self.heading_ids = heading_ids
        self.max_paragraphs = max_paragraphs
        self.max_chars = max_chars
        self.blocks: list[str] = []
        self.heading_title: str | None = None
        self.paragraphs = 0
        self.chars = 0

    def read(self, stream: Any) -> None:
        stack: list[ElementTree.Element] = []
        runs: list[list[str]] = []  # the text of each open paragraph (a text box holds paragraphs in one)
        styles: list[str] = []
        rows: list[list[str]] = []
        cells: list[list[str]] = []
        elements = 0
        for event, elem in ElementTree.iterparse(stream, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                elements += 1
                if elements > _DOCX_MAX_ELEMENTS:
                    raise IngestError("This .docx file is too complex to read; split it into smaller documents.")
                stack.append(elem)
                if tag == f"{_W}p":
                    runs.append([])
                    styles.append("")
                elif tag == f"{_W}tr":
                    rows.append([])
                elif tag == f"{_W}tc":
                    cells.append([])
                continue
            stack.pop()
            if tag == f"{_W}t" and runs:
                self._add(runs[-1], elem.text or "")
            elif tag in (f"{_W}tab", f"{_W}ptab") and runs:
                self._add(runs[-1], "\t")
            elif tag in (f"{_W}br", f"{_W}cr") and runs:
                self._add(runs[-1], "\n")
            elif tag == f"{_W}noBreakHyphen" and runs:
                self._add(runs[-1], "-")
            elif tag == f"{_W}pStyle" and styles:
                styles[-1] = elem.get(f"{_W}val") or ""
            elif tag == f"{_W}p":
                self._paragraph("".join(runs.pop()), styles.pop(), cell=cells[-1] if cells else None)
            elif tag == f"{_W}tc" and cells:
                text = " ".join("\n".join(cells.pop()).split())
                # Merged cells repeat across the row; keep one copy.
                if rows and text and (not rows[-1] or rows[-1][-1] != text):
                    rows[-1].append(text)
            elif tag == f"{_W}tr" and rows:
                row = rows.pop()
                if not cells:  # a row of a table inside a cell stays part of that cell's text
                    self.blocks.append(" | ".join(row))
            if stack:
                stack[-1].remove(elem)  # keep nothing that has been read

    def _add(self, run: list[str], text: str) -> None:
        self.chars += len(text)
        if self.chars > self.max_chars:
            raise IngestError(f"This .docx file has more than {self.max_chars:,} characters of text; "
                              "split it into smaller documents.")
        run.append(text)

    def _paragraph(self, text: str, style: str, *, cell: list[str] | None) -> None:
        self.paragraphs += 1
        if self.paragraphs > self.max_paragraphs:
            raise IngestError(f"This .docx file has more than {self.max_paragraphs:,} paragraphs; "
                              "split it into smaller documents.")
        if cell is not None:
            cell.append(text)
            return
        if self.heading_title is None and style in self.heading_ids and text.strip():
            self.heading_title = " ".join(text.split())
        self.blocks.append(text)


def _parse_docx(
    data: bytes,
    *,
    max_bytes: int,
    url: str | None,
    filename: str,
    max_paragraphs: int = DOCX_MAX_PARAGRAPHS,
    max_chars: int = DOCX_MAX_CHARS,
    **base: Any,
) -> ParsedDocument:
    limit = max(_DOCX_MIN_EXPANDED_LIMIT, _DOCX_EXPANSION_FACTOR * max_bytes)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(info.file_size for info in archive.infolist())
            if declared > limit:
                raise IngestError("This .docx file expands to more data than we accept; it may be malicious.")
            part = _docx_part_path(archive)
            body = _DocxBody(_docx_heading_style_ids(archive, part), max_paragraphs=max_paragraphs,
                             max_chars=max_chars)
            # Streamed: the part is inflated and parsed piece by piece, never held whole.
            with archive.open(part) as stream:
                body.read(stream)
            core = _docx_core(archive)
    except IngestError:
        raise
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, OSError, EOFError) as exc:
        raise IngestError(DOCX_INVALID) from exc

    text = _paragraph_text(body.blocks)
    title = _clean_meta(core.get("title")) or body.heading_title or _first_line_title(text)
    return ParsedDocument(
        title=title or _untitled(text, filename),
        text=text,
        byline=_clean_meta(core.get("author")),
        published_at=_docx_created(core.get("created")),
        url=safe_http_url(url),
        language=_clean_meta(core.get("language"), limit=20),
        filename=filename,
        **base,
    )


# --- PDF ----------------------------------------------------------------------------------


def _parse_pdf(data: bytes, *, url: str | None, filename: str, **base: Any) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    encrypted_message = "This PDF is encrypted; remove the password and upload it again."
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Owner-password-only PDFs open with an empty user password; anything
            # else needs a password we do not have.
            try:
                if not reader.decrypt(""):
                    raise IngestError(encrypted_message)
            except (DependencyError, FileNotDecryptedError, NotImplementedError) as exc:
                raise IngestError(encrypted_message) from exc
        if len(reader.pages) > _PDF_MAX_PAGES:
            raise IngestError(f"This PDF has more than {_PDF_MAX_PAGES} pages; split it and upload the parts.")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = _pdf_metadata(reader)
    except IngestError:
        raise
    except FileNotDecryptedError as exc:
        raise IngestError(encrypted_message) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise IngestError("This PDF could not be read; it may be damaged.") from exc

    text = _paragraph_text(pages)
    if not text:
        raise IngestError("This PDF has no text layer (it may be a scanned image), so it cannot be read.")
    return ParsedDocument(
        title=info.get("title") or _first_line_title(text) or _untitled(text, filename),
        text=text,
        byline=info.get("author"),
        published_at=info.get("created"),
        url=safe_http_url(url),
        language=info.get("language"),
        filename=filename,
        **base,
    )


def _pdf_metadata(reader: Any) -> dict[str, Any]:
    from pypdf.errors import PdfReadError

    damaged = (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError)
    found: dict[str, Any] = {}
    try:
        meta = reader.metadata
        if meta is not None:
            found["title"] = _clean_meta(meta.title)
            found["author"] = _clean_meta(meta.author)
            found["created"] = meta.creation_date
    except damaged:  # damaged metadata must not block the text
        log.info("unreadable PDF metadata", exc_info=True)
    try:
        lang = reader.trailer["/Root"].get("/Lang")
        found["language"] = _clean_meta(lang, limit=20)
    except damaged:
        log.info("unreadable PDF language", exc_info=True)
    return found
