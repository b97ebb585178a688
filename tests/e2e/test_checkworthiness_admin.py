"""The admin's check-worthiness model versions: figures side by side, switch and roll back from the browser."""

import pytest

from factcheck import extraction
from factcheck.extraction import head as headlib
from factcheck.matching import encoder
from factcheck.models import CheckworthinessHead

pytestmark = pytest.mark.django_db(transaction=True)


def _version(name: str, status: str, ap: float, **fields) -> CheckworthinessHead:
    shipped = headlib.load_shipped()
    head = headlib.train(shipped.base[:600], shipped.embeddings[:600], shipped.labels[:600])
    metrics = {"candidate": {"f1": 0.81, "average_precision": ap, "log_loss": 0.41, "threshold": head.threshold},
               "current": {"f1": 0.67, "average_precision": 0.74, "log_loss": 0.62, "threshold": 0.26}}
    return CheckworthinessHead.objects.create(
        name=name, status=status, base_model_version=extraction.MODEL_VERSION, encoder_version=encoder.ENCODER_VERSION,
        coefficients=head.to_json(), threshold=head.threshold, n_shipped=3000, n_train=412, n_train_positive=230,
        n_heldout=131, n_heldout_positive=70, metrics=metrics, compared_with=extraction.MODEL_VERSION,
        trigger="command", **fields)


def test_admin_lists_versions_with_figures_and_switches_then_rolls_back(live_server, new_page, screenshot,
                                                                         django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    first = _version("head-20261201-0400", "candidate", 0.83)
    _version("head-20261202-0400", "rejected", 0.70,
             reason="Worse than the scorer in use on the held-back reviewer labels: average precision 0.700 < 0.740.")
    for width, height in ((1440, 900), (1280, 720)):
        page = new_page(width, height)
        page.goto(f"{live_server.url}/admin/login/?next=/admin/factcheck/checkworthinesshead/")
        page.get_by_label("Username").fill("root")
        page.get_by_label("Password").fill("pw")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/checkworthinesshead/")
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 2
        assert "avg precision 0.830 vs 0.740" in rows.nth(1).inner_text()
        screenshot(page, f"admin-checkworthiness-versions-{width}")
        # The admin has no favicon (a 404 the browser reports); nothing else may fail, the policy included.
        assert [e for e in page.console_errors if "404" not in e] == []

    page.locator(f"input[name=_selected_action][value='{first.pk}']").check()
    page.locator("select[name=action]").select_option("activate")
    page.get_by_role("button", name="Go").click()
    page.get_by_text(f"Switched to {first.name}").wait_for()
    first.refresh_from_db()
    assert first.status == "active"
    screenshot(page, "admin-checkworthiness-switched")

    page.locator(f"input[name=_selected_action][value='{first.pk}']").check()
    page.locator("select[name=action]").select_option("rollback")
    page.get_by_role("button", name="Go").click()
    page.get_by_text("Rolled back to the shipped scorer alone").wait_for()
    first.refresh_from_db()
    assert first.status == "retired"

    page.goto(f"{live_server.url}/admin/factcheck/checkworthinesshead/{first.pk}/change/")
    assert "average precision" in page.locator(".field-figures").inner_text()
    screenshot(page, "admin-checkworthiness-version", full_page=True)
