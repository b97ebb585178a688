"""The hardening probe's inputs, timed: a small .docx that holds tens of thousands of paragraphs (and one whose XML
expands to 150 MB), a JSONL batch with a NUL character in a row, and hostile searches against one long article
with 20,000 claims, through the same code the web and the workers run.

Creates its own database (dropped and created again on each run), migrates it, and prints one line per probe: what
came back and how long it took.

    .venv/bin/python bench/bench_probe.py
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "factdesk_bench_probe")
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SENTENCE = "The council said it spent 4.2 million pounds on the bridge in 2024, according to its accounts."


def docx(body_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{body_xml}</w:body></w:document>')
    return buffer.getvalue()


def timed(label: str, action) -> None:
    started = time.perf_counter()
    try:
        outcome = action()
    except Exception as exc:  # the outcome is what we print
        outcome = f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
    print(f"{label:<58} {time.perf_counter() - started:8.3f} s  {outcome}")


def setup_django() -> None:
    from benchdb import setup_django as setup

    setup(SERVER_URL, DB_NAME)


def probe_docx() -> None:
    from django.conf import settings

    from factcheck.ingest import parse_document

    def parse(data: bytes):
        def run():
            doc = parse_document(data, filename="probe.docx", max_bytes=settings.FACTDESK_MAX_UPLOAD_BYTES)
            return f"parsed: {len(doc.text):,} characters"
        return run

    paragraph = f"<w:p><w:r><w:t>{SENTENCE}</w:t></w:r></w:p>"
    many = docx(paragraph * 60_000)
    timed(f".docx, 60,000 paragraphs ({len(many) // 1024} KB)", parse(many))
    wide = docx("<w:p>" + "<w:r><w:rPr><w:b/></w:rPr></w:r>" * 5_000_000 + "</w:p>")
    timed(f".docx, 150 MB of XML ({len(wide) // 1024} KB)", parse(wide))
    normal = docx(paragraph * 2_000)
    timed(f".docx, 2,000 paragraphs ({len(normal) // 1024} KB)", parse(normal))


def probe_nul_batch() -> None:
    from factcheck.models import ImportBatch
    from factcheck.selectors import batch_pending_item_ids
    from factcheck.services import batches

    rows = [{"title": "x\u0000", "body": SENTENCE}] + [
        {"title": f"Row {n}", "body": f"{SENTENCE} Item {n} of the probe."} for n in range(2, 101)
    ]
    data = "\n".join(json.dumps(row) for row in rows).encode()

    def run():
        batch = batches.batch_create(files=[("probe.jsonl", data)], created_by=None)
        batches.batch_expand(batch_id=batch.pk)
        batches.batch_process_items(batch_id=batch.pk, item_ids=batch_pending_item_ids(batch_id=batch.pk))
        batch = ImportBatch.objects.get(pk=batch.pk)
        failed = batch.items.filter(status="failed").values_list("message", flat=True).first()
        return f"{batch.status}: {batch.imported} imported, {batch.failed} failed ({failed})"

    timed("JSONL batch, 100 rows, a NUL in row 1", run)


def probe_search() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from factcheck.models import Article, Claim
    from factcheck.permissions import ROLE_VIEWERS
    from factcheck.ingest import content_hash

    sentences = [f"{SENTENCE} Council item {n}." for n in range(20_000)]
    body = " ".join(sentences)
    article = Article.objects.create(title="Council accounts", body=body, content_hash=content_hash(body),
                                     status=Article.Status.READY)
    claims, start = [], 0
    for sentence in sentences:
        claims.append(Claim(article=article, start=start, end=start + len(sentence), text=sentence, score=0.5))
        start += len(sentence) + 1
    Claim.objects.bulk_create(claims, batch_size=2000)
    viewer = get_user_model().objects.create_user("probe-viewer")
    viewer.groups.add(Group.objects.get(name=ROLE_VIEWERS))
    client = Client()
    client.force_login(viewer)
    for url in ("/?q=council", "/search/?q=council", "/queue/?q=council", "/?q=%00", "/search/?q=%00"):
        timed(f"GET {url} (one article, 20,000 claims)", lambda url=url: f"HTTP {client.get(url).status_code}")


def main() -> None:
    setup_django()
    probe_docx()
    probe_nul_batch()
    probe_search()


if __name__ == "__main__":
    main()
