"""Fact-check reports: every member reads published reports; Editors create, edit, mark ready, publish and
unpublish. Signed out, a report is the sign-in page (PUBLIC_REPORTS is off by default)."""

from tests.matrix.common import LOGIN, READ, Entry, no_args, no_data

EDITORS_WRITE = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 302}
EDITORS_PAGE = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 200}


def _report(status: str = "draft"):
    def make() -> list:
        from django.utils import timezone

        from factcheck.models import Claim, Report, ReportClaim
        from tests.factories import ArticleFactory, claims_for

        article = ArticleFactory()
        claim = claims_for(article, 1)[0]
        Claim.objects.filter(pk=claim.pk).update(verdict="verified")
        published_at = timezone.now() if status == "published" else None
        report = Report.objects.create(article=article, title="Fact-check", status=status, published_at=published_at)
        ReportClaim.objects.create(report=report, claim=claim)
        return [report.key]

    return make


def _article_data(args: list) -> dict:
    from tests.factories import ArticleFactory

    return {"article": ArticleFactory().pk}


MATRIX: dict[str, Entry] = {
    "reports": ("get", no_args, no_data, READ),
    "report": ("get", _report("published"), no_data, READ),
    "report-create": ("post", no_args, _article_data, EDITORS_WRITE),
    "report-edit": ("get", _report(), no_data, EDITORS_PAGE),
    "report-ready": ("post", _report(), no_data, EDITORS_WRITE),
    "report-publish": ("post", _report("ready"), no_data, EDITORS_WRITE),
    "report-unpublish": ("post", _report("published"), no_data, EDITORS_WRITE),
}
