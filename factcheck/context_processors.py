from django.http import HttpRequest

from factcheck import permissions


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {
        "can": {
            "review": permissions.can_review(user),
            "upload": permissions.can_upload(user),
            "assign": permissions.can_assign(user),
            "delete": permissions.can_delete_articles(user),
        }
    }
