"""Exports, the desk overview and the work-status banner."""

from tests.matrix.common import LOGIN, READ, Entry, no_args, no_data

# A background export is its owner's alone: everyone else, whatever their role, gets 404.
NOT_THEIRS = {"anonymous": LOGIN, "outsider": 404, "viewer": 404, "checker": 404, "editor": 404}


def _article_export(args: list) -> dict:
    from tests.factories import ArticleFactory, claims_for

    article = ArticleFactory()
    claims_for(article, 2)
    return {"scope": "article", "article": article.pk, "format": "csv"}


def _someone_elses_export() -> list:
    from factcheck.exports import Scope
    from factcheck.services.exports import export_job_create, export_job_run
    from tests.factories import UserFactory

    owner = UserFactory(username="owner", role="Fact-checkers")
    job = export_job_create(scope=Scope(), fmt="csv", actor=owner)
    export_job_run(job_id=job.pk)
    return [job.pk]


MATRIX: dict[str, Entry] = {
    "export": ("post", no_args, _article_export, READ),
    "export-job": ("get", _someone_elses_export, no_data, NOT_THEIRS),
    "export-download": ("get", _someone_elses_export, no_data, NOT_THEIRS),
    "overview": ("get", no_args, no_data, READ),
    "work-status": ("get", no_args, no_data, READ),
}
