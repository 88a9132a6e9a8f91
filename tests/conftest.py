"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--pabutools-all",
        action="store_true",
        help="re-run pabutools on every recorded Pabulib case (hours)",
    )


def shared_data_dir() -> Path:
    """Where the data from outside the project lives (``../shared/data`` beside the checkout)."""
    return Path(os.environ.get("SHARINGCITY_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data():
    """Return a function giving a folder of ``../shared/data``, skipping the test when it is absent."""

    def folder(name: str) -> Path:
        path = shared_data_dir() / name
        if not path.is_dir():
            pytest.skip(f"shared data folder {path} is absent; see DEVELOPERS notes in README")
        return path

    return folder


@pytest.fixture
def api_client(client):
    """Django's test client with JSON helpers for the /api/ endpoints."""
    import json

    class Api:
        def __init__(self, c):
            self.c = c
            self.token = None

        def _headers(self):
            return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

        def get(self, url, **params):
            return self.c.get(url, params, **self._headers())

        def send(self, method, url, data=None):
            return getattr(self.c, method)(
                url,
                data=json.dumps(data) if data is not None else None,
                content_type="application/json",
                **self._headers(),
            )

        def post(self, url, data=None):
            return self.send("post", url, data)

        def put(self, url, data=None):
            return self.send("put", url, data)

        def patch(self, url, data=None):
            return self.send("patch", url, data)

        def delete(self, url):
            return self.send("delete", url)

        def login_token(self, user):
            from sharingcity.core.services import do_issue_api_token

            self.token = do_issue_api_token(user=user, name="tests")[1]
            return self

    return Api(client)


@pytest.fixture(autouse=True)
def _fast_hashing_and_immediate_tasks(settings):
    # Messages raised outside a request come in the active language (Korean by default):
    # tests read them in English; pages under /ko/ still switch per request.
    from django.utils import translation

    translation.activate("en")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
