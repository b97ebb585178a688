"""The newsroom teaches the check-worthiness model: reviewers' decisions train a head over the shipped scorer.

Real database, real scorer and encoder: articles go through extraction, reviewers mark claims, and
`retrain_checkworthiness` fits, measures, records, switches, re-scores and rolls back.
"""

from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from factcheck import extraction
from factcheck.history import history_context
from factcheck.models import Article, CheckworthinessHead, Claim, Verdict
from factcheck.matching import encoder
from factcheck.services import checkworthiness
from factcheck.services.checkworthiness import HeadError
from factcheck.services.claims import claim_set_verdict
from factcheck.services.extraction import article_extract_claims
from factcheck.timeline import claim_timeline
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

ORGS = ["Harlow Logistics", "Venmark Foods", "the Bellmore council", "Ostrava Mining", "Pelican Air",
        "Greystone Bank", "the transport ministry", "Corvid Health", "Tallis Energy", "Marrow Textiles",
        "the port authority", "Quill Media"]
PEOPLE = ["Martin Ostrander", "Lena Vasquez", "Oskar Brandt", "Priya Raman", "Tomas Keller", "Aiko Mori",
          "Daniel Okafor", "Hanna Lind", "Rafael Souza", "Grace Whitman", "Ivan Petrov"]
PLACES = ["the region", "Bellmore", "the province", "Eastfield", "the county", "Norwood", "the valley"]
MONTHS = ["January", "March", "May", "July", "September", "November"]

DECLINED = [
    "A spokesperson for {org} declined to comment on the report.",
    "{person} did not respond to a request for comment.",
    "Representatives for {org} did not immediately return messages seeking comment.",
    "A lawyer for {person} declined to comment when reached on Tuesday.",
]
FIGURES = [
    "{org} said its revenue rose {n} percent to ${m} billion in {year}.",
    "Unemployment in {place} fell to {x} percent in {month}, the lowest since {year}.",
    "{org} spent ${m}0 million on repairs last year, up from ${k} million in {year}.",
    "About {n} percent of voters in {place} backed the measure, according to official results.",
]
# New wordings of both kinds, never labelled.
NEW_DECLINED = ["A spokeswoman for {org} declined to comment on Friday.",
                "Representatives of {org} did not reply to emailed questions on Thursday."]
NEW_FIGURES = ["Exports from {place} grew {n} percent to ${m} billion last year.",
               "{org} cut {n}0 jobs in {year}, about {x} percent of its workforce."]


def _fill(template: str, i: int) -> str:
    return template.format(org=ORGS[i % len(ORGS)], person=PEOPLE[i % len(PEOPLE)], place=PLACES[i % len(PLACES)],
                           month=MONTHS[i % len(MONTHS)], n=11 + (i * 7) % 60, m=2 + i % 9, k=21 + i % 17,
                           x=f"{3 + i % 5}.{i % 10}", year=2001 + i % 20)


def _article(sentences: list[str]) -> Article:
    article = ArticleFactory(body="\n\n".join(sentences), status=Article.Status.QUEUED)
    article_extract_claims(article_id=article.pk)
    return article


def _articles_stored(bodies: list[list[str]]) -> list[Article]:
    """Articles with a claim on each sentence, scored and embedded as extraction stores them (the real scorer and
    encoder, in one call each for speed)."""
    sentences = [s for body in bodies for s in body]
    base = iter(extraction.score_sentences(sentences))
    vectors = iter(encoder.encode(sentences))
    articles, claims = [], []
    for body in bodies:
        text = "\n\n".join(body)
        article = ArticleFactory(body=text)
        articles.append(article)
        for sentence in body:
            start, score = text.index(sentence), round(next(base), 4)
            claims.append(Claim(article=article, start=start, end=start + len(sentence), text=sentence, score=score,
                                base_score=score, model_version=extraction.MODEL_VERSION,
                                embedding=encoder.to_bytes(next(vectors)), embedding_model=encoder.ENCODER_VERSION))
    Claim.objects.bulk_create(claims)
    return articles


def _claim(article: Article, text: str) -> Claim:
    return Claim.objects.get(article=article, text=text)


def _newsroom(checker, n_articles: int = 44, flip_training: bool = False, min_held_back: int = 10) -> dict:
    """Articles with two "declined to comment" and two figure sentences each, reviewed: the first dismissed as not
    a claim, the figures verified (the other way round outside the held-back articles with `flip_training`); each
    article also keeps one sentence of each kind unreviewed."""
    unreviewed, stored, start = [], [], 0
    # Which articles are held back depends on their ids, and so on what ran before: with `min_held_back`, add
    # articles until that many are held back, so a candidate is always judged on enough labels.
    while not stored or sum(checkworthiness.is_held_back(a.pk) for a, _ in stored) < min_held_back:
        bodies = []
        for i in range(start, start + n_articles):
            declined = [_fill(DECLINED[(i + j) % len(DECLINED)], i + 3 * j) for j in range(3)]
            figures = [_fill(FIGURES[(i + j) % len(FIGURES)], i + 5 * j) for j in range(3)]
            bodies.append([declined[0], figures[0], declined[1], figures[1], declined[2], figures[2]])
        start += n_articles
        stored += list(zip(_articles_stored(bodies), bodies))
    for article, body in stored:
        declined, figures = body[0::2], body[1::2]
        flip = flip_training and not checkworthiness.is_held_back(article.pk)
        for text in declined[:2]:
            _review(checker, _claim(article, text), Verdict.VERIFIED if flip else Verdict.NOT_A_CLAIM)
        for text in figures[:2]:
            _review(checker, _claim(article, text), Verdict.NOT_A_CLAIM if flip else Verdict.VERIFIED)
        unreviewed += [_claim(article, declined[2]).pk, _claim(article, figures[2]).pk]
    return {"unreviewed": unreviewed, "labels": 4 * len(stored)}


def _review(checker, claim: Claim, verdict: str) -> None:
    claim_set_verdict(claim_id=claim.pk, actor=checker, verdict=verdict, expected_version=claim.version)


def _events(action: str) -> list:
    return [e for e in CheckworthinessHead.pgh_event_model.objects.select_related("pgh_context").order_by("pgh_id")
            if e.pgh_context and e.pgh_context.metadata.get("action") == action]


def test_extraction_stores_the_base_score_and_scores_with_the_shipped_scorer_when_no_head_is_active():
    article = _article([_fill(DECLINED[0], 1), _fill(FIGURES[0], 1)])
    claims = list(Claim.objects.filter(article=article))
    assert len(claims) == 2
    for claim in claims:
        assert claim.base_score is not None and claim.score == claim.base_score
        assert claim.model_version == extraction.EXTRACTION_VERSION


def test_reviewer_decisions_teach_the_model_switch_and_rollback(checker):
    stored = _newsroom(checker)
    before = dict(Claim.objects.filter(pk__in=stored["unreviewed"]).values_list("pk", "score"))
    out = StringIO()
    call_command("retrain_checkworthiness", stdout=out)
    head = CheckworthinessHead.objects.get()
    output = out.getvalue()

    # Recorded with its figures, and switched to because it is not worse on the held-back reviewer labels.
    assert head.status == CheckworthinessHead.Status.ACTIVE, head.reason
    assert head.n_shipped == 3000 and head.n_train + head.n_heldout == stored["labels"]
    assert head.n_heldout >= checkworthiness.MIN_HELDOUT_LABELS
    candidate, current = head.metrics["candidate"], head.metrics["current"]
    # The shipped scorer already ranks figures above "declined to comment", but calls both claims at its threshold.
    assert candidate["average_precision"] >= current["average_precision"]
    assert candidate["f1"] > current["f1"] + 0.2 and candidate["log_loss"] < current["log_loss"]
    # Levels keep the shipped cut points under a head; its evaluation records each level's held-back labels. The
    # shipped scorer puts "declined to comment" among the figures; the head moves them out of "Check first".
    for figures in (candidate["levels"], current["levels"]):
        assert sum(f["n"] for f in figures.values()) == head.n_heldout
    assert candidate["levels"]["first"]["precision"] > current["levels"]["first"]["precision"]
    assert head.compared_with == extraction.MODEL_VERSION and head.trigger == "command"
    assert f"Trained {head.name} on 3,000 shipped rows and {head.n_train} reviewer labels" in output
    assert f"Switched to {head.name}; re-scored" in output
    assert f"{head.name}: F1 {head.metrics['candidate']['f1']:.3f}" in output
    assert [e.pgh_obj_id for e in _events("factcheck.model.switched")] == [head.pk]

    # Stored unreviewed claims were re-scored: "declined to comment" down, figures ranked above them.
    after = {c.pk: c for c in Claim.objects.filter(pk__in=stored["unreviewed"])}
    declined = [c for c in after.values() if "comment" in c.text]
    figures = [c for c in after.values() if "comment" not in c.text]
    assert all(c.score < before[c.pk] - 0.1 for c in declined)
    assert min(c.score for c in figures) > max(c.score for c in declined)
    # Re-scoring wrote no claim history (the switch on the head is the record), and the claim's next event does
    # not claim the new score as its own change.
    assert not Claim.pgh_event_model.objects.filter(pgh_obj_id__in=stored["unreviewed"], pgh_label="update").exists()
    with history_context(action="factcheck.claim.clustered", actor="matching worker"):
        Claim.objects.filter(pk=declined[0].pk).update(cluster_pinned=True)
    latest = claim_timeline(claim_id=declined[0].pk)
    assert any(e.sentence.startswith("matched the claim") for e in latest)
    assert not any("check-worthiness" in e.sentence for e in latest)

    # New, similar sentences are scored by the active head at extraction, in the expected direction.
    fresh = [_fill(t, 100 + i) for i, t in enumerate(NEW_DECLINED + NEW_FIGURES)]
    article = _article(fresh)
    new = {c.text: c for c in Claim.objects.filter(article=article)}
    assert set(new) == set(fresh)
    for text in fresh[:2]:
        assert new[text].score < new[text].base_score - 0.1
    for text in fresh[2:]:
        assert new[text].score >= new[text].base_score - 0.02
        assert new[text].score > max(new[t].score for t in fresh[:2]) + 0.2

    # Rollback: back to the shipped scorer alone, recorded, and every unreviewed claim has its base score again.
    out = StringIO()
    call_command("retrain_checkworthiness", "--rollback", stdout=out)
    head.refresh_from_db()
    assert head.status == CheckworthinessHead.Status.RETIRED
    assert not CheckworthinessHead.objects.filter(status="active").exists()
    assert "Rolled back to the shipped scorer alone; re-scored" in out.getvalue()
    rolled = _events("factcheck.model.rolled_back")
    assert [e.pgh_obj_id for e in rolled] == [head.pk] and rolled[0].status == "retired"
    for claim in Claim.objects.filter(pk__in=stored["unreviewed"] + [c.pk for c in new.values()]):
        assert claim.score == claim.base_score
    # Reviewed claims were never re-scored.
    assert not Claim.objects.exclude(verdict=Verdict.UNREVIEWED).exclude(score=F("base_score")).exists()

    with pytest.raises(CommandError, match="No version is active"):
        call_command("retrain_checkworthiness", "--rollback", stdout=StringIO())


def test_rollback_returns_to_the_previous_version_and_admin_switch_goes_through_the_service(checker, admin_user):
    _newsroom(checker, n_articles=40)
    first = checkworthiness.head_retrain(trigger="command").head
    second = checkworthiness.head_retrain(trigger="command").head
    assert second.status == "active", second.reason
    first.refresh_from_db()
    assert first.status == "retired" and second.previous_id == first.pk
    unreviewed = Claim.objects.filter(verdict=Verdict.UNREVIEWED).order_by("pk").first()

    target, rescored = checkworthiness.head_rollback(trigger="command")
    assert target.pk == first.pk
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("active", "retired")
    head = checkworthiness.active_head()
    unreviewed.refresh_from_db()
    vec = np.frombuffer(bytes(unreviewed.embedding), dtype="<f2").astype(np.float32)[None, :]
    assert unreviewed.score == pytest.approx(float(head.score([unreviewed.base_score], vec)[0]), abs=1e-4)

    # Only one version is active at a time, whatever writes.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CheckworthinessHead.objects.filter(pk=second.pk).update(status="active")

    # The admin action switches through the service (and re-scoring is sent to the workers).
    from django.test import Client

    client = Client()
    client.force_login(admin_user)
    url = "/admin/factcheck/checkworthinesshead/"
    response = client.post(url, {"action": "activate", "_selected_action": [second.pk]}, follow=True)
    assert f"Switched to {second.name}" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "active" and second.previous_id == first.pk
    page = client.get(url).content.decode()
    assert first.name in page and second.name in page and "vs" in page


def test_a_candidate_worse_on_held_back_labels_is_rejected_and_nothing_switches(checker):
    stored = _newsroom(checker, n_articles=44, flip_training=True)
    before = dict(Claim.objects.filter(pk__in=stored["unreviewed"]).values_list("pk", "score"))
    out = StringIO()
    call_command("retrain_checkworthiness", stdout=out)
    head = CheckworthinessHead.objects.get()
    assert head.status == CheckworthinessHead.Status.REJECTED
    assert head.reason.startswith("Worse than the scorer in use on the held-back reviewer labels: average precision")
    assert head.metrics["candidate"]["average_precision"] < head.metrics["current"]["average_precision"]
    assert f"Rejected: {head.reason}" in out.getvalue()
    assert dict(Claim.objects.filter(pk__in=stored["unreviewed"]).values_list("pk", "score")) == before
    assert [e.pgh_obj_id for e in _events("factcheck.model.rejected")] == [head.pk]
    assert checkworthiness.active_head() is None
    with pytest.raises(HeadError, match="was rejected"):
        checkworthiness.head_activate(head=head, trigger="command")


def test_too_few_reviewer_labels_are_rejected_with_the_reason(checker):
    _newsroom(checker, n_articles=4, min_held_back=0)
    out = StringIO()
    call_command("retrain_checkworthiness", stdout=out)
    head = CheckworthinessHead.objects.get()
    assert head.status == CheckworthinessHead.Status.REJECTED
    assert head.n_train + head.n_heldout == 16
    assert head.reason.startswith(f"Too few held-back reviewer labels to judge it: {head.n_heldout} (")
    assert f"at least {checkworthiness.MIN_HELDOUT_LABELS}" in head.reason
    assert "Rejected: Too few held-back reviewer labels" in out.getvalue()
    assert not Claim.objects.exclude(score=F("base_score")).exists()


def test_no_switch_records_a_candidate_and_users_without_the_permission_are_refused(checker):
    _newsroom(checker, n_articles=40)
    out = StringIO()
    call_command("retrain_checkworthiness", "--no-switch", stdout=out)
    head = CheckworthinessHead.objects.get()
    assert head.status == CheckworthinessHead.Status.CANDIDATE
    assert "as a candidate" in out.getvalue()
    assert not Claim.objects.exclude(score=F("base_score")).exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        checkworthiness.head_activate(head=head, trigger="admin", user=checker)
    with pytest.raises(PermissionDenied):
        checkworthiness.head_retrain(trigger="admin", user=checker)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_scheduled_retraining_runs_on_a_real_worker_only_when_there_are_new_decisions(celery_worker_thread, checker):
    from factcheck.tasks import checkworthiness_retrain

    from tests.workers import wait_for

    stored = _newsroom(checker, n_articles=3, min_held_back=0)
    checkworthiness_retrain.delay()
    assert wait_for(lambda: CheckworthinessHead.objects.exists(), timeout=120)
    head = CheckworthinessHead.objects.get()
    assert (head.trigger, head.status) == ("schedule", "rejected")
    assert _events("factcheck.model.rejected")[0].pgh_context.metadata["actor"] == checkworthiness.WORKER

    # Nothing decided since: the next run records nothing.
    checkworthiness_retrain.apply()
    assert CheckworthinessHead.objects.count() == 1
    claim = Claim.objects.get(pk=stored["unreviewed"][0])
    _review(checker, claim, Verdict.NOT_A_CLAIM)
    checkworthiness_retrain.apply()
    assert CheckworthinessHead.objects.count() == 2


def test_the_beat_entry_is_there_only_when_the_setting_asks_for_it():
    import os
    import subprocess
    import sys

    code = ("import newsroom.settings as s; e = s.CELERY_BEAT_SCHEDULE.get('retrain-checkworthiness'); "
            "print(e and (e['task'], e['schedule'].total_seconds()))")
    env = {**os.environ, "DEBUG": "true"}
    env.pop("RETRAIN_CHECKWORTHINESS_HOURS", None)
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    on = subprocess.run([sys.executable, "-c", code], env={**env, "RETRAIN_CHECKWORTHINESS_HOURS": "6"},
                        capture_output=True, text=True, check=True)
    assert off.stdout.strip() == "None"
    assert on.stdout.strip() == "('factcheck.tasks.checkworthiness_retrain', 21600.0)"


def test_one_retraining_at_a_time(checker):
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [checkworthiness._LOCK_KEY])
        with pytest.raises(HeadError, match="already running"):
            checkworthiness.head_retrain(trigger="command")
        assert not CheckworthinessHead.objects.exists()
    finally:
        other.close()


def test_rescoring_stops_when_the_active_version_changes_under_it(checker):
    _newsroom(checker, n_articles=40)
    checkworthiness.head_retrain(trigger="command", switch=False)
    head = CheckworthinessHead.objects.get()
    checkworthiness.head_activate(head=head, trigger="command", rescore=False)
    seen = []

    def meanwhile(done, total):
        seen.append(done)
        if len(seen) == 1:  # someone rolls back after the first chunk
            checkworthiness.head_rollback(trigger="admin", rescore=False)

    changed = checkworthiness.claims_rescore(chunk=10, progress=meanwhile)
    assert len(seen) == 1 and 0 < changed <= 10
    # The rollback's own re-scoring puts every unreviewed claim back on its base score.
    checkworthiness.claims_rescore()
    assert not Claim.objects.exclude(score=F("base_score")).exists()
