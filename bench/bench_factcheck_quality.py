"""Published checks found for statements, measured end to end through the two commands a user runs:
`import_factchecks FILE --sync`, then `match_factchecks QUERIES.tsv --top 5`.

    .venv/bin/python bench/bench_factcheck_quality.py [--skip-import]

In a database of its own (``factdesk_bench_checks``, created and migrated here):

1. Tweets (CheckThat! 2022 2A, dev-test: held out of training): the 14,231 checks are imported (checks a second
   printed), the 202 tweets looked up; MAP@5, P@1 and the share whose right check is the strong top-1. Then the
   dev-test gold checks are deleted and the tweets looked up again: the share still offered a strong check.
2. Transcripts (PolitiFact debates, the transcripts held out of training, see the model card): the 826 checks are
   imported into an emptied collection and every sentence of those transcripts is looked up: precision of the
   strong offers and the share of checked sentences whose check is offered strong.

The data stays in ../shared/data; nothing of it is written into the project.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "factdesk_bench_checks"
DATA = Path(os.environ.get("FACTCHECK_DATA_DIR", ROOT.parent / "shared" / "data"))
ENV = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}", "DJANGO_SETTINGS_MODULE": "newsroom.settings",
       "DEBUG": os.environ.get("DEBUG", "true")}
PY = str(ROOT / ".venv" / "bin" / "python")


def manage(*args: str, stdout=None) -> str:
    out = subprocess.run([PY, str(ROOT / "manage.py"), *args], env=ENV, check=True, text=True,
                         stdout=stdout or subprocess.PIPE)
    return out.stdout or ""


def sql(statement: str, db: str = "postgres") -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qc", statement], check=True)


def lookup(queries: list[tuple[str, str]]) -> dict[str, list[tuple[str, float, str]]]:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as fh:
        for qid, text in queries:
            fh.write(f"{qid}\t{text}\n")
    out = manage("match_factchecks", fh.name, "--top", "5")
    os.unlink(fh.name)
    ranked: dict[str, list[tuple[str, float, str]]] = {}
    for line in out.splitlines():
        qid, _rank, ident, score, band = line.split("\t")
        ranked.setdefault(qid, []).append((ident, float(score), band))
    return ranked


def import_checks(path: Path) -> float:
    t = time.perf_counter()
    manage("import_factchecks", str(path), "--sync")
    return time.perf_counter() - t


def tsv(path: Path) -> list[list[str]]:
    return [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8") if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-import", action="store_true", help="reuse the tweets collection already imported")
    args = parser.parse_args()
    report = {}
    ct = DATA / "checkthat2022-2a"
    if not args.skip_import:
        sql(f"DROP DATABASE IF EXISTS {DB}")
        sql(f"CREATE DATABASE {DB}")
        manage("migrate", "--database", "owner", "--verbosity", "0")
        n = sum(1 for _ in (ct / "factchecks.jsonl").open())
        seconds = import_checks(ct / "factchecks.jsonl")
        report["import"] = {"checks": n, "seconds": round(seconds, 1), "checks_per_second": round(n / seconds, 1)}
        print(json.dumps(report["import"]), flush=True)
    queries = tsv(ct / "devtest_queries.tsv")
    gold: dict[str, set[str]] = {}
    for qid, ident in tsv(ct / "devtest_qrels.tsv"):
        gold.setdefault(qid, set()).add(ident)
    ranked = lookup([(q, t) for q, t in queries])
    ap, p1, strong = [], [], []
    for qid, _ in queries:
        got = ranked.get(qid, [])
        hits, s = 0, 0.0
        for r, (ident, _, _) in enumerate(got[:5]):
            if ident in gold[qid]:
                hits += 1
                s += hits / (r + 1)
        ap.append(s / min(len(gold[qid]), 5))
        p1.append(bool(got) and got[0][0] in gold[qid])
        strong.append(bool(got) and got[0][0] in gold[qid] and got[0][2] == "strong")
    report["tweets"] = {"queries": len(queries), "map_at_5": round(sum(ap) / len(ap), 4),
                        "p_at_1": round(sum(p1) / len(p1), 4), "strong_top1_right": round(sum(strong) / len(strong), 4)}
    print(json.dumps(report["tweets"]), flush=True)
    removed = sorted({g for gs in gold.values() for g in gs})
    ids = ",".join("'" + g.replace("'", "''") + "'" for g in removed)
    sql(f"DELETE FROM factcheck_checkoffer WHERE published_check_id IN "
        f"(SELECT id FROM factcheck_publishedcheck WHERE identifier IN ({ids}))", DB)
    sql(f"DELETE FROM factcheck_publishedcheck WHERE identifier IN ({ids})", DB)
    ranked = lookup([(q, t) for q, t in queries])
    offered = sum(1 for q, _ in queries if ranked.get(q) and ranked[q][0][2] == "strong")
    report["tweets_gold_removed"] = {"queries": len(queries), "strong_offered": offered,
                                     "share": round(offered / len(queries), 4)}
    print(json.dumps(report["tweets_gold_removed"]), flush=True)

    # Transcripts held out of training (the model card lists them).
    card = json.loads((ROOT / "factcheck" / "matching" / "artifacts" / "check_model.json").read_text())["card"]
    held = set(card["held_out"]["transcripts"])
    pf = DATA / "politifact-debates"
    sql("DELETE FROM factcheck_checkoffer; DELETE FROM factcheck_publishedcheck;", DB)
    import_checks(pf / "factchecks.jsonl")
    rows = [r for r in tsv(pf / "train_sentences.tsv") if r[0].rsplit(":", 1)[0] in held]
    ranked = lookup([(r[0], r[1]) for r in rows])
    offers = right = 0
    with_check = sum(1 for r in rows if len(r) > 2 and r[2].strip())
    for r in rows:
        golds = {u.rstrip("/") for u in (r[2].split() if len(r) > 2 else [])}
        got = ranked.get(r[0], [])
        if got and got[0][2] == "strong":
            offers += 1
            right += got[0][0].rstrip("/") in golds
    report["transcripts"] = {"transcripts": len(held), "sentences": len(rows), "with_check": with_check,
                             "strong_offers": offers, "precision": round(right / max(1, offers), 4),
                             "found": round(right / max(1, with_check), 4)}
    print(json.dumps(report["transcripts"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
