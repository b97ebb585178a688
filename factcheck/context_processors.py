from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from factcheck import permissions
from factcheck.models import HistoryVerification
from factcheck.presenters import shortcuts_for


def roles(request: HttpRequest) -> dict:
    """`can`: the signed-in person's abilities by name, the only way templates ask what someone may do. They
    only hide what the server would refuse anyway."""
    user = getattr(request, "user", None)
    return {"can": permissions.abilities(user) if user is not None else permissions.Abilities()}


def shortcuts(request: HttpRequest) -> dict:
    """The keyboard shortcuts offered to the signed-in person: `shortcuts` for the dialog, `shortcut_keys`
    (key -> action) for the script."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shortcuts": [], "shortcut_keys": {}}
    offered = shortcuts_for(can_review=permissions.can_review(user))
    return {"shortcuts": offered, "shortcut_keys": {shortcut.key: shortcut.action for shortcut in offered}}


def history_verification(request: HttpRequest) -> dict:
    """The latest `verify_history` result, read only by a page that shows it (the admin's front page)."""
    latest = SimpleLazyObject(lambda: HistoryVerification.objects.order_by("-checked_at", "-id").first())
    return {"history_verification": latest}
