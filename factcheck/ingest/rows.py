"""Batch files: one article per JSON line or CSV row."""

from __future__ import annotations

import _csv
import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from .dates import parse_datetime
from .documents import MIME_TYPES, ParsedDocument, _first_line_title, parse_html, safe_http_url
from .errors import IngestError, json_error_reason
from .text import decode_text

__all__ = ["ROW_FIELDS", "RowResult", "iter_csv", "iter_jsonl"]

ROW_FIELDS = ("title", "body", "html", "url", "source", "author", "published_at")
# Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_TEXT_LIMIT = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class RowResult:
    """The outcome for one row: a document, or a user-facing error (never both).

    ``index`` counts data rows from 0; ``line`` is the 1-based line of the file
    where the row starts. ``warnings`` note things that were tolerated (an
    unreadable date, a cell that looks like a spreadsheet formula).
    """

    index: int
    line: int
    document: ParsedDocument | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.document is not None


class _RowProblem(Exception):
    pass


def iter_jsonl(data: bytes, *, filename: str = "", first_line: int = 1) -> Iterator[RowResult]:
    """Yield one result per non-blank line of a JSON Lines file.

    Each line is an object with ``title``, ``body`` or ``html``, and optionally
    ``url``, ``source``, ``author``, ``published_at``. A line that is not valid
    JSON, or not an object, gives an error result with its line number and the
    following lines are still read. ``first_line`` numbers the first line of
    ``data`` (for a single line taken out of a larger file). Raises
    :class:`IngestError` (at once, before any row) only for a file that is empty,
    binary or has no rows at all.
    """
    lines = decode_text(data).split("\n")
    if not any(line.strip() for line in lines):
        raise IngestError("The file has no rows.")
    return _jsonl_rows(lines, filename, first_line)


def _jsonl_rows(lines: list[str], filename: str, first_line: int) -> Iterator[RowResult]:
    index = 0
    for line_number, raw in enumerate(lines, start=first_line):
        raw = raw.strip()
        if not raw:
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield RowResult(
                index=index,
                line=line_number,
                error=f"Line {line_number}: not valid JSON ({json_error_reason(exc)}).",
            )
        else:
            if isinstance(value, dict):
                yield _row_result(value, index=index, line=line_number, label=f"Line {line_number}", filename=filename)
            else:
                yield RowResult(
                    index=index,
                    line=line_number,
                    error=f"Line {line_number}: expected a JSON object with a 'body' or 'html' field.",
                )
        index += 1


def iter_csv(data: bytes, *, filename: str = "") -> Iterator[RowResult]:
    """Yield one result per data row of a CSV file with a header row.

    The header must name a ``body`` or ``html`` column (else :class:`IngestError`,
    before any row is yielded); ``title``, ``url``, ``source``, ``author`` and
    ``published_at`` are optional; other columns are ignored. The delimiter may
    be a comma, semicolon or tab. Cells are only ever read as text: a cell that a
    spreadsheet would run as a formula (starting with ``= + - @``) is kept
    verbatim and noted in the row's ``warnings``.
    """
    text = decode_text(data)
    # The csv module's per-field limit (128 KiB) is smaller than a long article in
    # an "html" column; the whole file's size is already bounded by the caller.
    if len(text) >= csv.field_size_limit():
        csv.field_size_limit(len(text) + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    header = _read_header(reader)
    columns = [name.strip().lstrip("\ufeff").lower() for name in header]
    if "body" not in columns and "html" not in columns:
        found = ", ".join(f"'{c}'" for c in columns if c) or "none"
        raise IngestError(f"The CSV file needs a 'body' or 'html' column; its columns are: {found}.")
    return _csv_rows(reader, columns, filename)


def _csv_rows(reader: _csv.Reader, columns: list[str], filename: str) -> Iterator[RowResult]:
    index = 0
    while True:
        start_line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RowResult(
                index=index,
                line=start_line,
                error=f"Line {start_line}: the CSV file cannot be read from here on ({exc}).",
            )
            return
        if not any(cell.strip() for cell in cells):
            continue
        warnings: list[str] = []
        if len(cells) > len(columns):
            warnings.append(f"Line {start_line}: {len(cells) - len(columns)} extra cell(s) were ignored.")
        row: dict[str, str] = {}
        for name, cell in zip(columns, cells):
            if name in ROW_FIELDS and name not in row:
                row[name] = cell
                if cell.startswith(_FORMULA_PREFIXES):
                    shown = {"\t": "a tab", "\r": "a carriage return"}.get(cell[0], f"'{cell[0]}'")
                    warnings.append(
                        f"Line {start_line}: the '{name}' cell starts with {shown} "
                        "and is kept as plain text, never as a formula."
                    )
        yield _row_result(
            row, index=index, line=start_line, label=f"Line {start_line}", filename=filename, warnings=warnings
        )
        index += 1


def _delimiter(text: str) -> str:
    header_line = text.split("\n", 1)[0]
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_header(reader: _csv.Reader) -> list[str]:
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                return cells
    except csv.Error as exc:
        raise IngestError(f"The CSV header could not be read ({exc}).") from exc
    raise IngestError("The file has no rows.")


def _row_result(
    row: Mapping[str, object],
    *,
    index: int,
    line: int,
    label: str,
    filename: str,
    warnings: list[str] | None = None,
) -> RowResult:
    warnings = list(warnings or [])
    try:
        document = _row_document(row, label=label, filename=filename, warnings=warnings)
    except _RowProblem as problem:
        return RowResult(index=index, line=line, error=str(problem), warnings=warnings)
    return RowResult(index=index, line=line, document=document, warnings=warnings)


def _text_field(row: Mapping[str, object], name: str, label: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    if isinstance(value, (bool, list, dict)):
        raise _RowProblem(f"{label}: '{name}' must be text.")
    text = str(value).strip()
    return text or None


def _row_document(row: Mapping[str, object], *, label: str, filename: str, warnings: list[str]) -> ParsedDocument:
    row = {str(k).strip().lower(): v for k, v in row.items()}
    body = _text_field(row, "body", label)
    html = _text_field(row, "html", label)
    title = _text_field(row, "title", label)
    author = _text_field(row, "author", label)
    source = _text_field(row, "source", label)
    raw_url = _text_field(row, "url", label)
    raw_date = row.get("published_at")

    url = safe_http_url(raw_url)
    if raw_url and url is None:
        warnings.append(f"{label}: the url {raw_url[:100]!r} was ignored; only http and https addresses are kept.")
    published_at = parse_datetime(raw_date)
    if raw_date not in (None, "") and published_at is None:
        warnings.append(f"{label}: the date {str(raw_date)[:100]!r} was not understood and was ignored.")

    if body is not None:
        extracted = None
        text, kind = body, "txt"
    elif html is not None:
        try:
            extracted = parse_html(html, url=url, filename=filename)
        except IngestError as exc:
            raise _RowProblem(f"{label}: {exc.message}") from exc
        text, kind = extracted.text, "html"
    else:
        raise _RowProblem(f"{label}: a non-empty 'body' or 'html' value is required.")

    fallback_title = (extracted.title if extracted else None) or _first_line_title(text)
    return ParsedDocument(
        title=(title or fallback_title or "Untitled")[:_TEXT_LIMIT],
        text=text,
        byline=author or (extracted.byline if extracted else None),
        published_at=published_at or (extracted.published_at if extracted else None),
        site_name=source or (extracted.site_name if extracted else None),
        url=url or (extracted.url if extracted else None),
        language=extracted.language if extracted else None,
        filename=filename,
        content_type=MIME_TYPES[kind],
        kind=kind,
    )
