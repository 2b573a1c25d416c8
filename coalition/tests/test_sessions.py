"""Sessions live in the cache in front of the database (cached_db with Redis): logging out still ends them."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from conftest import PERSONA_PASSWORD


@pytest.mark.django_db
def test_sessions_are_read_from_the_cache_when_redis_is_configured():
    engine = settings.SESSION_ENGINE.rsplit(".", 1)[-1]
    assert engine == ("cached_db" if settings.REDIS_URL else "db")


@pytest.mark.django_db
def test_a_session_cookie_kept_after_logging_out_signs_nobody_in(client, member):
    assert client.login(email=member.email, password=PERSONA_PASSWORD)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("members:me")).status_code == 200
    assert Session.objects.filter(session_key=stolen).exists()  # the database stays the record

    client.post(reverse("account_logout"))

    assert not Session.objects.filter(session_key=stolen).exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = client.get(reverse("members:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
