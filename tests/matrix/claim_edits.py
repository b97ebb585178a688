"""Claims a person adds or corrects, undo of a verdict, and the queue's next unreviewed claim."""

from tests.matrix.common import LOGIN, READ, Entry, no_args, no_data
from tests.matrix.workspace import REVIEW_REDIRECT, _article, _claim

# A GET that answers with a redirect (to the next claim, or back to the queue).
READ_REDIRECT = {**READ, "viewer": 302, "checker": 302, "editor": 302}


def _selection(args: list) -> dict:
    """The third sentence of the article (not a claim in `_article`), as the browser sends it."""
    from factcheck.models import Article

    body = Article.objects.get(pk=args[0]).body
    text = "Xiaomi did not respond to a request for comment."
    start = body.index(text)
    return {"start": start, "end": start + len(text), "text": text}


def _trim(args: list) -> dict:
    from factcheck.models import Claim

    claim = Claim.objects.get(pk=args[0])
    return {"start": claim.start, "end": claim.end - 1, "text": claim.text[:-1], "version": claim.version}


def _split_point(args: list) -> dict:
    from factcheck.models import Claim

    claim = Claim.objects.get(pk=args[0])
    return {"at": claim.start + claim.text.index(" ", len(claim.text) // 2) + 1, "version": claim.version}


def _claim_with_someone_elses_verdict() -> list:
    from factcheck.permissions import ROLE_FACT_CHECKERS
    from factcheck.services import claim_set_verdict
    from tests.factories import ClaimFactory, UserFactory

    claim = ClaimFactory()
    other = UserFactory(username="other-checker", role=ROLE_FACT_CHECKERS)
    claim_set_verdict(claim_id=claim.pk, actor=other, verdict="verified", expected_version=1)
    return [claim.pk]


MATRIX: dict[str, Entry] = {
    "claim-add": ("post", _article, _selection, REVIEW_REDIRECT),
    "claim-span": ("post", _claim, _trim, REVIEW_REDIRECT),
    "claim-split-in-two": ("post", _claim, _split_point, REVIEW_REDIRECT),
    # Someone else's verdict is not undone: the page says so (200); the own-verdict path is in the view tests.
    "claim-undo": (
        "post", _claim_with_someone_elses_verdict, lambda args: {"version": 2},
        {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 200, "editor": 200},
    ),
    "queue-next": ("get", no_args, no_data, READ_REDIRECT),
}
