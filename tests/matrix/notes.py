"""Notes on claims and the user's own notifications."""

from tests.matrix.common import LOGIN, READ, Entry, no_args, no_data
from tests.matrix.workspace import REVIEW_REDIRECT, _claim


def _someones_note() -> list:
    from factcheck.models import Note
    from factcheck.permissions import ROLE_FACT_CHECKERS
    from tests.factories import ClaimFactory, UserFactory

    author = UserFactory(username="note-author", role=ROLE_FACT_CHECKERS)
    return [Note.objects.create(claim=ClaimFactory(), author=author, body="Check the date").pk]


def _someones_notification() -> list:
    from factcheck.models import Notification
    from tests.factories import UserFactory

    return [Notification.objects.create(recipient=UserFactory(username="someone"), kind="assigned", text="x").pk]


# Only the author edits a note; everybody else is refused, read-only members and other reviewers alike.
AUTHOR_ONLY = {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 403, "editor": 403}
# Another person's notification is as absent as a missing one.
NOT_YOURS = {"anonymous": LOGIN, "outsider": 404, "viewer": 404, "checker": 404, "editor": 404}

MATRIX: dict[str, Entry] = {
    "note-add": ("post", _claim, lambda args: {"body": "Where is the 100% from?"}, REVIEW_REDIRECT),
    "note-edit": ("post", _someones_note, lambda args: {"body": "Rewritten"}, AUTHOR_ONLY),
    # Suggestions while typing a mention: for those who write notes.
    "note-people": ("get", no_args, lambda args: {"q": "e"},
                    {"anonymous": LOGIN, "outsider": 404, "viewer": 403, "checker": 200, "editor": 200}),
    "notifications": ("get", no_args, no_data, READ),
    # Polled by every page: a signed-out page is told to stop polling (286); without a role the count is 0.
    "notification-count": (
        "get", no_args, no_data, {"anonymous": 286, "outsider": 200, "viewer": 200, "checker": 200, "editor": 200}
    ),
    "notification-open": ("get", _someones_notification, no_data, NOT_YOURS),
    "notification-read": ("post", _someones_notification, no_data, NOT_YOURS),
    "notifications-read-all": (
        "post", no_args, no_data, {"anonymous": LOGIN, "outsider": 404, "viewer": 302, "checker": 302, "editor": 302}
    ),
}
