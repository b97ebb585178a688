from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from factcheck import permissions
from factcheck.models import HistoryVerification


def roles(request: HttpRequest) -> dict:
    """`can`: the signed-in person's abilities by name, the only way templates ask what someone may do. They
    only hide what the server would refuse anyway."""
    user = getattr(request, "user", None)
    return {"can": permissions.abilities(user) if user is not None else permissions.Abilities()}


def history_verification(request: HttpRequest) -> dict:
    """The latest `verify_history` result, read only by a page that shows it (the admin's front page)."""
    latest = SimpleLazyObject(lambda: HistoryVerification.objects.order_by("-checked_at", "-id").first())
    return {"history_verification": latest}
