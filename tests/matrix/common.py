"""Shared pieces of the permission matrix. Each area declares its URLs in tests/matrix/<area>.py."""

from __future__ import annotations

from typing import Callable

LOGIN = "login-redirect"
ROLES = ["anonymous", "outsider", "viewer", "checker", "editor"]

# The usual expectations: reading pages, reviewing actions, editing actions.
READ = {"anonymous": LOGIN, "outsider": 404, "viewer": 200, "checker": 200, "editor": 200}

# name -> (method, make_args, make_data, {role: expected status})
# make_args() returns the URL's positional args; make_data(args) returns the POST data (or GET query).
Entry = tuple[str, Callable[[], list], Callable[[list], dict], dict[str, int | str]]


def no_args() -> list:
    return []


def no_data(args: list) -> dict:
    return {}
