from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from factcheck import permissions
from factcheck.models import HistoryVerification


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {
        "can": {
            "view": permissions.can_view(user),
            "review": permissions.can_review(user),
            "upload": permissions.can_upload(user),
            "assign": permissions.can_assign(user),
            "delete": permissions.can_delete_articles(user),
            "publish_reports": permissions.can_publish_reports(user),
            "view": permissions.can_view(user),
        }
    }


def history_verification(request: HttpRequest) -> dict:
    """The latest `verify_history` result, read only by a page that shows it (the admin's front page)."""
    latest = SimpleLazyObject(lambda: HistoryVerification.objects.order_by("-checked_at", "-id").first())
    return {"history_verification": latest}
