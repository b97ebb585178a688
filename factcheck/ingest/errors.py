"""The one exception the ingest package raises for bad input."""

from __future__ import annotations

import json

__all__ = ["IngestError", "format_size", "json_error_reason"]


class IngestError(Exception):
    """Input that cannot be ingested.

    ``message`` is written for the person who uploaded the file: it says what is
    wrong and, where possible, what to do about it. It never contains a traceback
    or internal detail, so callers may show it as-is.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def format_size(num_bytes: int) -> str:
    """Render a byte count the way people talk about file sizes ("10 MB", "512 KB")."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if num_bytes >= factor:
            value = num_bytes / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{num_bytes} bytes"


def json_error_reason(exc: json.JSONDecodeError) -> str:
    """What is wrong with a line of JSON and where: "Expecting value at column 4". Some of the decoder's messages
    end in "at" already ("Invalid control character at"), which must not read "at at"."""
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"
