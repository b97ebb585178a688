"""Imports of published fact-checks: editors start them (others 403, outsiders 404); everyone in a role reads them."""

from tests.matrix.common import LOGIN, READ, Entry, no_args, no_data

EDIT = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 200}


def an_import() -> list:
    from factcheck.models import FactCheckImport

    run = FactCheckImport.objects.create(label="checks.jsonl", status=FactCheckImport.Status.DONE, total=1, created=1)
    return [run.pk]


MATRIX: dict[str, Entry] = {
    "factcheck-imports": ("get", no_args, no_data, READ),
    "factcheck-import-new": ("get", no_args, no_data, EDIT),
    "factcheck-import": ("get", an_import, no_data, READ),
}
