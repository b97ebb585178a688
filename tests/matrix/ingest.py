"""Upload and import pages: editors only for uploads (others 403, outsiders 404); everyone in a role reads imports."""

from tests.matrix.common import LOGIN, READ, Entry, no_args, no_data

EDIT = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 200}


def a_batch() -> list:
    from factcheck.models import ImportBatch

    batch = ImportBatch.objects.create(kind=ImportBatch.Kind.JSONL, label="rows.jsonl",
                                       status=ImportBatch.Status.DONE, total=1, imported=1)
    return [batch.pk]


MATRIX: dict[str, Entry] = {
    "upload": ("get", no_args, no_data, EDIT),
    "batch-upload": ("get", no_args, no_data, EDIT),
    "batches": ("get", no_args, no_data, READ),
    "batch": ("get", a_batch, no_data, READ),
}
