"""URLs of the workspace. Each view module declares its own `urlpatterns`; they are gathered here."""

from factcheck.views import inbox

app_name = "factcheck"

urlpatterns = [
    *inbox.urlpatterns,
]
