"""The review workspace: the article page, the claim panel and its actions, the queue, search, inbox rows."""

from tests.matrix.common import LOGIN, READ, Entry, no_args, no_data

# Reviewing actions: fact-checkers and editors; read-only members are refused, outsiders see nothing.
REVIEW_REDIRECT = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 302, "editor": 302}
EDITORS_ONLY_REDIRECT = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 302}


def _article() -> list:
    from tests.factories import ArticleFactory, claims_for

    article = ArticleFactory()
    claims_for(article, 2)
    return [article.pk]


def _extracting_article() -> list:
    from factcheck.models import Article
    from tests.factories import ArticleFactory

    return [ArticleFactory(status=Article.Status.EXTRACTING).pk]


def _claim() -> list:
    from tests.factories import ClaimFactory

    return [ClaimFactory().pk]


def _evidence() -> list:
    from tests.factories import EvidenceFactory

    return [EvidenceFactory().pk]


def _offer(status: str = "offered"):
    def make() -> list:
        from tests.factories import CheckOfferFactory

        offer = CheckOfferFactory(status=status)
        return [offer.claim_id, offer.pk]

    return make


MATRIX: dict[str, Entry] = {
    "article": ("get", _article, no_data, READ),
    "article-row": ("get", _extracting_article, no_data, READ),
    "article-status": ("get", _extracting_article, no_data, READ),
    "article-delete": ("post", _article, lambda args: {"confirm": "yes"}, EDITORS_ONLY_REDIRECT),
    "article-edit": ("get", _article, no_data,
                     {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 200}),
    "claim": ("get", _claim, no_data, READ),
    "claim-verdict": ("post", _claim, lambda args: {"verdict": "verified", "version": 1}, REVIEW_REDIRECT),
    # Taking a claim: editors may assign anyone; a fact-checker may only take it for themselves, and a forged
    # assignment to someone else is refused (403) — see tests/views/test_claims.py for the "Take" path.
    "claim-assign": (
        "post",
        _claim,
        lambda args: {"assignee": _someone_else()},
        {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 302},
    ),
    "evidence-add": (
        "post",
        _claim,
        lambda args: {"url": "https://example.org/report", "stance": "refutes", "passage": "It was 100%."},
        REVIEW_REDIRECT,
    ),
    "evidence-remove": ("post", _evidence, lambda args: {"reason": "wrong document"}, REVIEW_REDIRECT),
    "check-offer-confirm": ("post", _offer(), no_data, REVIEW_REDIRECT),
    "check-offer-reject": ("post", _offer(), no_data, REVIEW_REDIRECT),
    "check-offer-restore": ("post", _offer("rejected"), no_data, REVIEW_REDIRECT),
    "queue": ("get", no_args, no_data, READ),
    "queue-assign": ("post", no_args, lambda args: {"claims": _claim(), "assignee": ""}, EDITORS_ONLY_REDIRECT),
    "search": ("get", no_args, lambda args: {"q": "tariff"}, READ),
}


def _someone_else() -> str:
    from factcheck.permissions import ROLE_FACT_CHECKERS
    from tests.factories import UserFactory

    return str(UserFactory(username="someone-else", role=ROLE_FACT_CHECKERS).pk)
