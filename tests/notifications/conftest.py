from __future__ import annotations

import pytest

from ksbb.accounts.models import User


@pytest.fixture
def mailed(cast):  # type: ignore[no-untyped-def]
    """The cast with e-mail addresses (name@example.com)."""
    for user in cast.users.values():
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.com")
        user.email = f"{user.username}@example.com"
    return cast


@pytest.fixture
def immediate(settings):  # type: ignore[no-untyped-def]
    """Tasks run in-process when enqueued (after the commit, from on_commit)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def capture(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """pytest-django's django_capture_on_commit_callbacks: run what waits for the commit."""
    return django_capture_on_commit_callbacks
