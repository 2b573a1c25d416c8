"""Rate limits live in a shared cache (Redis, else the database), so a second process or a restart counts on."""

import json
import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from conftest import PERSONA_PASSWORD

BASE_DIR = Path(__file__).resolve().parents[2]

# One login process: the Django test client posting to allauth's login form, as a web worker would get it.
# Prints, per attempt, the error codes of the form ("too_many_login_attempts" once the limit holds),
# or "logged-in".
LOGIN_ATTEMPTS = """
import json, os, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
results = []
for password in json.loads(os.environ["PASSWORDS"]):
    client = Client()
    response = client.post("/accounts/login/", {"login": os.environ["LOGIN"], "password": password})
    if response.status_code == 302:
        results.append("logged-in")
    else:
        errors = response.context["form"].errors.as_data()
        results.append(sorted({error.code for field in errors.values() for error in field}))
print(json.dumps(results))
"""


def _database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def _login_in_a_new_process(env, passwords):
    """Run LOGIN_ATTEMPTS in a fresh interpreter: its own memory, the test's database and cache."""
    result = subprocess.run(
        [sys.executable, "-c", LOGIN_ATTEMPTS],
        cwd=BASE_DIR,
        env={**env, "PASSWORDS": json.dumps(passwords)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_cache_is_redis_with_redis_and_the_database_without():
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.REDIS_URL:
        assert backend == "coalition.cache.RedisCache"  # Django's, sharing one redis-py client per pool
        assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    else:
        assert backend == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.django_db
def test_the_cache_works_out_of_the_box():
    # Without Redis this needs the table that coalition's migration creates.
    assert cache.add("probe", 1, timeout=30)
    assert not cache.add("probe", 2, timeout=30)
    assert cache.get("probe") == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared_cache", ["redis", "database"])
def test_the_sixth_wrong_password_is_refused_across_two_processes(shared_cache, django_user_model):
    if connection.vendor != "postgresql":
        pytest.skip("the processes share the test database, which needs PostgreSQL")
    if shared_cache == "redis" and not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")

    email = f"target-{uuid.uuid4().hex[:8]}@example.org"
    user = django_user_model.objects.create_user(email=email, password=PERSONA_PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coalition.settings",
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL if shared_cache == "redis" else "",
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "LOGIN": email,
    }

    first = _login_in_a_new_process(env, ["wrong-1", "wrong-2", "wrong-3"])
    second = _login_in_a_new_process(env, ["wrong-4", "wrong-5", "wrong-6", PERSONA_PASSWORD])

    mismatch = ["email_password_mismatch"]
    refused = ["too_many_login_attempts"]
    assert first == [mismatch, mismatch, mismatch]
    # The second process knows of the first one's three tries: two more, then the door is shut,
    # even for the right password.
    assert second == [mismatch, mismatch, refused, refused]


@pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis backend needs REDIS_URL")
def test_the_redis_cache_shares_one_client_between_calls_and_threads():
    clients = []

    def work(n):
        cache.set(f"shared-{n}", n, timeout=30)
        clients.append(cache._cache.get_client(write=True))
        return cache.get(f"shared-{n}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sorted(pool.map(work, range(20))) == list(range(20))
    # caches["default"] is one object per thread; each keeps a single client for its pool.
    assert len({id(client) for client in clients}) <= 4
    assert cache._cache.get_client(write=True) is cache._cache.get_client()
