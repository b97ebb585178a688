import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from factcheck.models import Claim
from factcheck.services import ClaimConflict, claim_assign, claim_set_verdict, evidence_add, evidence_remove
from tests.factories import ClaimFactory, SourceDomainFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_set_verdict_bumps_version_and_records_who(checker):
    claim = ClaimFactory()
    updated = claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", expected_version=1)
    assert (updated.verdict, updated.version, updated.verdict_by) == ("verified", 2, checker)
    assert updated.verdict_at is not None


def test_stale_version_raises_conflict_and_changes_nothing(checker, editor):
    claim = ClaimFactory()
    claim_set_verdict(claim_id=claim.pk, actor=editor, verdict="verified", expected_version=1)
    with pytest.raises(ClaimConflict) as excinfo:
        claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="false", rationale="no", expected_version=1)
    assert excinfo.value.current.verdict == "verified"
    assert "ed" in str(excinfo.value) and "Verified" in str(excinfo.value)
    claim.refresh_from_db()
    assert (claim.verdict, claim.version, claim.verdict_by) == ("verified", 2, editor)
    assert Claim.pgh_event_model.objects.filter(pgh_obj_id=claim.pk, pgh_label="update").count() == 1


@pytest.mark.parametrize("verdict", ["disputed", "false"])
def test_disputed_and_false_need_a_rationale(checker, verdict):
    claim = ClaimFactory()
    with pytest.raises(ValidationError, match="rationale"):
        claim_set_verdict(claim_id=claim.pk, actor=checker, verdict=verdict, rationale="  ", expected_version=1)
    claim.refresh_from_db()
    assert claim.verdict == "unreviewed"


def test_unknown_verdict_refused(checker):
    claim = ClaimFactory()
    with pytest.raises(ValidationError):
        claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="maybe", expected_version=1)


def test_evidence_matches_source_by_most_specific_domain(checker):
    SourceDomainFactory(domain="example.org", source__name="Example")
    specific = SourceDomainFactory(domain="news.example.org", source__name="Example News")
    claim = ClaimFactory()
    evidence = evidence_add(claim_id=claim.pk, actor=checker, url="https://www.news.example.org/a", stance="supports")
    assert evidence.source == specific.source
    assert evidence_add(claim_id=claim.pk, actor=checker, url="https://example.org/b", stance="context").source.name == "Example"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "example.org/page", "file:///etc/passwd", ""])
def test_evidence_refuses_non_http_links(checker, url):
    claim = ClaimFactory()
    with pytest.raises(ValidationError, match="http"):
        evidence_add(claim_id=claim.pk, actor=checker, url=url, stance="supports")
    assert not claim.evidence.exists()


def test_evidence_removed_twice_is_refused(checker):
    claim = ClaimFactory()
    evidence = evidence_add(claim_id=claim.pk, actor=checker, url="https://example.org", stance="supports")
    evidence_remove(evidence_id=evidence.pk, actor=checker, reason="duplicate")
    with pytest.raises(ValidationError):
        evidence_remove(evidence_id=evidence.pk, actor=checker, reason="again")
    evidence.refresh_from_db()
    assert evidence.removed_by == checker and evidence.removal_reason == "duplicate"


def test_fact_checker_can_take_an_unassigned_claim_but_not_a_taken_one(checker):
    other = UserFactory(username="bo", role="Fact-checkers")
    claim = ClaimFactory()
    assert claim_assign(claim_id=claim.pk, actor=checker, assignee=checker).assignee == checker
    with pytest.raises(PermissionDenied, match="assigned to ana"):
        claim_assign(claim_id=claim.pk, actor=other, assignee=other)
    with pytest.raises(PermissionDenied):
        claim_assign(claim_id=claim.pk, actor=other, assignee=checker)


def test_editor_assigns_anyone_and_viewer_nobody(editor, checker, viewer):
    claim = ClaimFactory()
    assert claim_assign(claim_id=claim.pk, actor=editor, assignee=checker).assignee == checker
    assert claim_assign(claim_id=claim.pk, actor=editor, assignee=editor).assignee == editor
    with pytest.raises(PermissionDenied):
        claim_assign(claim_id=claim.pk, actor=viewer, assignee=viewer)


def test_evidence_removal_without_a_reason_is_refused(checker):
    evidence = evidence_add(claim_id=ClaimFactory().pk, actor=checker, url="https://example.org", stance="supports")
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="Give a reason for removing this evidence."):
            evidence_remove(evidence_id=evidence.pk, actor=checker, reason=blank)
    evidence.refresh_from_db()
    assert evidence.removed_at is None


# --- Every write service refuses someone whose role may not make the change, whatever called it. ---


def test_verdict_from_a_viewer_is_refused_and_changes_nothing(viewer):
    claim = ClaimFactory()
    with pytest.raises(PermissionDenied):
        claim_set_verdict(claim_id=claim.pk, actor=viewer, verdict="verified", expected_version=1)
    claim.refresh_from_db()
    assert (claim.verdict, claim.version, claim.verdict_by) == ("unreviewed", 1, None)


def test_evidence_from_a_viewer_is_refused(viewer, checker):
    claim = ClaimFactory()
    with pytest.raises(PermissionDenied):
        evidence_add(claim_id=claim.pk, actor=viewer, url="https://example.org", stance="supports")
    assert not claim.evidence.exists()
    evidence = evidence_add(claim_id=claim.pk, actor=checker, url="https://example.org", stance="supports")
    with pytest.raises(PermissionDenied):
        evidence_remove(evidence_id=evidence.pk, actor=viewer, reason="wrong link")
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_article_changes_from_a_fact_checker_are_refused(checker, editor):
    from factcheck.models import Article
    from factcheck.services.articles import article_delete, article_update_details
    from tests.factories import ArticleFactory

    article = ArticleFactory(title="Budget vote")
    with pytest.raises(PermissionDenied):
        article_update_details(article_id=article.pk, actor=checker, title="Renamed")
    with pytest.raises(PermissionDenied):
        article_delete(article_id=article.pk, actor=checker)
    assert Article.objects.get(pk=article.pk).title == "Budget vote"
    article_update_details(article_id=article.pk, actor=editor, title="Renamed")
    article_delete(article_id=article.pk, actor=editor)
    assert not Article.objects.filter(pk=article.pk).exists()


def test_export_for_someone_outside_the_workspace_is_refused(outsider):
    from factcheck.exports import Scope
    from factcheck.models import ExportJob
    from factcheck.services.exports import export_job_create

    with pytest.raises(PermissionDenied):
        export_job_create(scope=Scope(), fmt="csv", actor=outsider)
    assert not ExportJob.objects.exists()


def test_fact_check_import_by_a_fact_checker_is_refused(checker):
    from factcheck.models import FactCheckImport
    from factcheck.services.factcheck_imports import factcheck_import_create, factcheck_import_create_from_url
    from tests.builders.claimreview import claim_review, jsonl

    with pytest.raises(PermissionDenied):
        factcheck_import_create(data=jsonl([claim_review(1)]), filename="checks.jsonl", created_by=checker)
    with pytest.raises(PermissionDenied):
        factcheck_import_create_from_url(url="https://checks.example/feed.json", created_by=checker)
    assert not FactCheckImport.objects.exists()


def test_same_text_in_another_unicode_form_is_a_duplicate():
    import unicodedata

    from factcheck.services.articles import DuplicateArticle, NewArticle, article_create

    composed = unicodedata.normalize("NFC", "Le café de Zoë a fermé en décembre.")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    first = article_create(new=NewArticle(title="Café", body=composed, original=composed.encode()))
    with pytest.raises(DuplicateArticle) as refused:
        article_create(new=NewArticle(title="Café again", body=decomposed, original=decomposed.encode()))
    assert refused.value.existing.pk == first.pk


def test_import_command_refuses_a_user_who_may_not_import(checker, tmp_path):
    from django.core.management import CommandError, call_command

    from factcheck.models import FactCheckImport
    from tests.builders.claimreview import claim_review, jsonl

    path = tmp_path / "checks.jsonl"
    path.write_bytes(jsonl([claim_review(1)]))
    with pytest.raises(CommandError, match="ana: Only editors"):
        call_command("import_factchecks", str(path), "--user", "ana")
    assert not FactCheckImport.objects.exists()


def test_upload_paste_and_batch_by_a_fact_checker_are_refused(checker):
    from factcheck.models import Article, ImportBatch
    from factcheck.services import batches, uploads

    with pytest.raises(PermissionDenied):
        uploads.article_create_from_text(text="The council spent 4.2 million pounds on the bridge.",
                                         uploaded_by=checker)
    with pytest.raises(PermissionDenied):
        uploads.article_create_from_upload(data=b"The council spent 4.2 million pounds.", filename="a.txt",
                                           uploaded_by=checker)
    with pytest.raises(PermissionDenied):
        batches.batch_create(files=[("a.txt", b"The council spent 4.2 million pounds.")], created_by=checker)
    assert not Article.objects.exists()
    assert not ImportBatch.objects.exists()
