"""Sign-in throttling (django-axes): repeated wrong passwords lock that user name from that address for a while."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return get_user_model().objects.create_user("sam", password="right-password-123")


def _sign_in(client, username, password, addr="203.0.113.7"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_after_the_failure_limit_even_the_right_password_is_refused(client, person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "sam", "wrong").status_code == 200  # the form again, with its error
    locked = _sign_in(client, "sam", "wrong")
    assert locked.status_code == 429 and b"Too many failed sign-ins" in locked.content
    again = _sign_in(client, "sam", "right-password-123")
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_user_name_and_address(client, person, settings):
    get_user_model().objects.create_user("kim", password="kims-password-123")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "sam", "wrong")
    assert _sign_in(client, "kim", "kims-password-123").status_code == 302
    client.logout()
    assert _sign_in(client, "sam", "right-password-123", addr="198.51.100.9").status_code == 302


def test_a_successful_sign_in_clears_the_count(client, person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "sam", "wrong")
    assert _sign_in(client, "sam", "right-password-123").status_code == 302
    client.logout()
    assert _sign_in(client, "sam", "wrong").status_code == 200
