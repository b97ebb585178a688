"""URLs of the workspace. Each view module declares its own `urlpatterns`; they are gathered here."""

from factcheck.views import uploads
from factcheck.views import stories
from factcheck.views import articles, claims, factchecks, inbox, search
from factcheck.views import claim_edits
from factcheck.views import reports
from factcheck.views import notes
from factcheck.views import exports, overview

app_name = "factcheck"

urlpatterns = [
    *inbox.urlpatterns,
    *stories.urlpatterns,
    *uploads.urlpatterns,
    *articles.urlpatterns,
    *claims.urlpatterns,
    *search.urlpatterns,
    *factchecks.urlpatterns,
    *claim_edits.urlpatterns,
    *reports.urlpatterns,
    *notes.urlpatterns,
    *exports.urlpatterns,
    *overview.urlpatterns,
]
