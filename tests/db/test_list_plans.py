"""Every list page reads its rows through an index, never by scanning the claims table.

Each page's statements are explained as PostgreSQL plans them on a few thousand claims: none may scan the
claims table. Small tables (a few dozen stories, imports or check offers) are cheaper to scan than to look up, which
says nothing about a newsroom's years of them; so the index each page is meant to use is looked for in the plans
made with sequential scans off, where PostgreSQL still scans a table when no index serves the filter and the sort.
"""

import datetime as dt
import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from factcheck import selectors
from factcheck.models import Article, CheckOffer, Claim, Conflict, ImportBatch, Story
from factcheck.ingest import content_hash
from tests.factories import CheckOfferFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

N_ARTICLES = 200
CLAIMS_PER_ARTICLE = 15
WORDS = "tariff minister budget harbour election vaccine strike pension bridge wheat".split()


@pytest.fixture
def newsroom(editor):
    """200 articles of 15 claims (3,000 claims) in 20 stories, with verdicts, assignees, conflicts and checks."""
    sources = [SourceFactory() for _ in range(5)]
    stories = [Story.objects.create(title=f"Story {i}") for i in range(20)]
    now = timezone.now()
    articles = []
    for a in range(N_ARTICLES):
        sentences = [
            f"The {WORDS[(a + i) % 10]} figure {a}-{i} was {i * 7 % 100} percent." for i in range(CLAIMS_PER_ARTICLE)
        ]
        body = " ".join(sentences)
        articles.append(Article(
            title=f"Article {a} on the {WORDS[a % 10]}", body=body, content_hash=content_hash(body),
            status=Article.Status.READY, source=sources[a % 5], story=stories[a % 20], uploaded_by=editor,
            published_at=None if a % 9 == 0 else now - dt.timedelta(hours=a), created_at=now,
        ))
    articles = Article.objects.bulk_create(articles)
    Article.objects.update(created_at=now)  # auto_now_add: set the spread of creation times afterwards
    for a, article in enumerate(articles):
        Article.objects.filter(pk=article.pk).update(created_at=now - dt.timedelta(minutes=a))
    verdicts = ["unreviewed"] * 6 + ["verified", "verified", "disputed", "false"]
    claims = []
    for a, article in enumerate(articles):
        position = 0
        for i, sentence in enumerate(article.body.split(". ")):
            text = sentence if sentence.endswith(".") else sentence + "."
            start = article.body.index(text, position)
            position = start + len(text)
            claims.append(Claim(
                article=article, start=start, end=position, text=text, score=((a * 31 + i * 17) % 100) / 100,
                kinds=[["quantity", "quote", "event"][i % 3]], verdict=verdicts[(a + i) % 10],
                assignee=editor if (a + i) % 7 == 0 else None,
            ))
    claims = Claim.objects.bulk_create(claims)
    for n in range(10):
        conflict = Conflict.objects.create(key=f"plan-{n}", kind="number", values=["1", "2"])
        conflict.claims.add(claims[n * 300], claims[n * 300 + 15])
    for claim in claims[::100]:
        CheckOfferFactory(claim=claim, band="strong")
    for n in range(60):
        ImportBatch.objects.create(kind="jsonl", label=f"batch {n}", created_by=editor)
    analyze()
    yield {"source": sources[0], "story": stories[0]}
    # ANALYZE writes a table's size in place, outside the test's transaction: leave it saying "empty", as the
    # tables are once the transaction is rolled back, so the row counts seen here mislead no later test's plans.
    for model in (CheckOffer, Conflict, Claim, Article, Story, ImportBatch):
        model.objects.all().delete()
    analyze()


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT factdesk_test_maintain()")  # ANALYZE, as the tables' owner (tests/conftest.py)


def plans(client, url: str, *, seqscan: bool = True) -> list[str]:
    """The plans of the statements a page runs that read articles, claims, stories or imports, under the planner
    settings each ran with."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    found = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_seqscan = {'on' if seqscan else 'off'}")
        for query in ctx.captured_queries:
            sql = query["sql"].strip()
            if "set_config(" in sql:  # a read that sets its own planner settings: replayed around it
                cursor.execute(sql)
                continue
            if not sql.startswith(("SELECT", "WITH")) or not re.search(
                r"factcheck_(article|claim|story|importbatch)\b", sql
            ):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            found.append("\n".join(row[0] for row in cursor.fetchall()))
    return found


PAGES = [
    # (page, query string, the index its plan must use; a pattern where either of two serves)
    ("inbox", "", "article_created_idx"),
    ("inbox", "?sort=oldest", "article_created_idx"),
    ("inbox", "?sort=published", "article_published_idx"),
    ("inbox", "?sort=title", "article_title_idx"),
    ("inbox", "?sort=unreviewed", "article_unreviewed_idx"),
    ("inbox", "?conflicts=1", "article_has_conflicts_idx"),
    ("inbox", "?checked=1", "article_has_checks_idx"),
    ("inbox", "?status=ready&sort=newest", "article_"),
    ("inbox", "?q=harbour", "article_"),
    ("queue", "", "claim_score_idx"),
    ("queue", "?verdict=false", "claim_verdict_idx"),
    ("queue", "?assignee=me", "claim_assignee_idx"),
    ("queue", "?checked=1", "claim_checked_idx"),
    ("queue", "?kind=quote", "claim_score_idx"),
    # A check-worthiness level is a score range: a range of the score index, or of the verdict's.
    ("queue", "?level=first", "claim_score_idx"),
    ("queue", "?level=low", "claim_score_idx"),
    ("queue", "?level=look&verdict=open", "claim_verdict_idx"),
    # A common word: the most check-worthy claims, read in order; a word none of them has: the word's index.
    ("search", "?q=harbour", "claim_score_idx"),
    ("search", "?q=zeppelin", "claim_search_idx"),
    # A word in one article of ten: the newest articles, read in order until enough match, or the word's index.
    ("search", "?q=harbour", "article_search_idx|article_created_idx"),
    ("stories", "", "story_updated_idx"),
    ("story", "", "factcheck_claim_article"),
    ("batches", "", "importbatch_created_idx"),
]


@pytest.mark.parametrize(("page", "query", "index"), PAGES)
def test_list_page_reads_through_its_index(client, editor, newsroom, monkeypatch, page, query, index):
    # Search looks through the first few thousand claims in score order first: a small share of them at scale.
    monkeypatch.setattr(selectors, "SEARCH_SCAN", 20)
    args = [newsroom["story"].pk] if page == "story" else []
    client.force_login(editor)
    url = reverse(f"factcheck:{page}", args=args) + query
    found = plans(client, url)
    assert found, "the page read no articles or claims"
    for plan in found:
        assert "Seq Scan on factcheck_claim " not in plan, plan
    without_scans = plans(client, url, seqscan=False)
    assert any(re.search(index, plan) for plan in without_scans), "\n\n".join(without_scans)


def test_next_page_starts_at_the_cursor_in_the_index(client, editor, newsroom):
    """The second page of the queue is a range of the score index from the cursor on, not a scan from its start."""
    client.force_login(editor)
    html = client.get(reverse("factcheck:queue")).content.decode()
    cursor = re.search(r'after=([\w-]+)"[^>]*rel="next"', html).group(1)
    found = plans(client, reverse("factcheck:queue") + f"?after={cursor}")
    assert any(re.search(r"Index Cond: \(score <= ", plan) for plan in found), "\n\n".join(found)


def test_counters_follow_every_write_path(editor):
    """The counts kept on the article follow claims, verdicts, conflicts and check offers, whatever writes them."""
    from tests.factories import ArticleFactory, claims_for

    article = ArticleFactory()
    a, b, c = claims_for(article, 3)

    def counts():
        article.refresh_from_db()
        return (article.n_claims, article.n_unreviewed, article.n_verified, article.n_false,
                article.n_open_conflicts, article.n_published_checks)

    assert counts() == (3, 3, 0, 0, 0, 0)
    Claim.objects.filter(pk=a.pk).update(verdict="verified")  # a bulk update
    with connection.cursor() as cursor:  # raw SQL
        cursor.execute("UPDATE factcheck_claim SET verdict = 'false' WHERE id = %s", [b.pk])
    assert counts() == (3, 1, 1, 1, 0, 0)
    conflict = Conflict.objects.create(key="k", kind="number", values=["1", "2"])
    conflict.claims.add(a, c)
    assert counts()[4] == 2
    Conflict.objects.filter(pk=conflict.pk).update(status="resolved")
    assert counts()[4] == 0
    offer = CheckOfferFactory(claim=c, band="strong")
    assert counts()[5] == 1
    assert Claim.objects.get(pk=c.pk).has_published_check
    offer.status = "rejected"
    offer.save()
    assert counts()[5] == 0
    assert not Claim.objects.get(pk=c.pk).has_published_check
    Claim.objects.filter(pk=c.pk).delete()
    assert counts() == (2, 0, 1, 1, 0, 0)
    other = ArticleFactory()
    Claim.objects.filter(pk=a.pk).update(article=other)  # a claim moved: both articles follow
    other.refresh_from_db()
    assert counts()[0] == 1 and other.n_claims == 1 and other.n_verified == 1
    UserFactory()  # a write elsewhere changes nothing
    assert counts() == (1, 0, 0, 1, 0, 0)
