"""Settings come from the environment; a malformed value stops start-up and names its variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PORTAL_VARIABLES = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "ALLOWED_HOSTS", "SITE_URL"}
# Set by the browser tests for Playwright; it must not leak into a start-up that checks production settings.
PORTAL_VARIABLES.add("DJANGO_ALLOW_ASYNC_UNSAFE")
GOOD_KEY = "k" * 30 + "-production-secret-key-for-tests-0123456789"


def run_settings(env, code="import django; django.setup(); print('ok')", args=None):
    """Import the settings in a fresh interpreter, as start-up would."""
    clean = {key: value for key, value in os.environ.items() if key not in PORTAL_VARIABLES}
    clean.update({"DJANGO_SETTINGS_MODULE": "coalition.settings", **env})
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(command, cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://db/portal"}, "DATABASE_URL"),
        ({"DEBUG": "true", "DATABASE_URL": "postgres://host:notaport/portal"}, "DATABASE_URL"),
        ({"DEBUG": "true", "REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"DEBUG": "true", "EMAIL_URL": "smtp://mail.example.org:port"}, "EMAIL_URL"),
        ({"DEBUG": "true", "SITE_URL": "portal.example.org"}, "SITE_URL"),
        ({"DEBUG": "true", "MAIL_BATCH_SIZE": "many"}, "MAIL_BATCH_SIZE"),
    ],
)
def test_malformed_value_stops_start_up_naming_the_variable(env, variable):
    result = run_settings(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("key", [None, "", "django-insecure-development-key-never-use-in-production"])
def test_production_refuses_missing_or_default_secret_key(key):
    env = {"DEBUG": "false", "ALLOWED_HOSTS": "portal.example.org"}
    if key is not None:
        env["SECRET_KEY"] = key
    result = run_settings(env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_check_deploy():
    env = {
        "DEBUG": "false",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "portal.example.org",
        "SITE_URL": "https://portal.example.org",
        "EMAIL_URL": "smtp://portal:secret@smtp.example.org:587?tls=true",
    }
    result = run_settings(env, args=["manage.py", "check", "--deploy", "--fail-level", "DEBUG"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_embedded_defaults_need_nothing_installed():
    result = run_settings(
        {"DEBUG": "true"},
        code=(
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.MAILERS['default']['BACKEND'])"
        ),
    )
    assert result.returncode == 0, result.stderr
    engine, eager, backend = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "True"
    assert backend.endswith("console.EmailBackend")


def test_urls_are_read_into_their_settings():
    code = (
        "import django; django.setup(); from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], d['USER'], d['PASSWORD'], d['HOST'], d['PORT'], "
        "s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER, *(s.MAILERS['default']['OPTIONS'][k] "
        "for k in ('host', 'port', 'username')))"
    )
    result = run_settings(
        {
            "DEBUG": "true",
            "DATABASE_URL": "postgres://portal:s%40cret@db.internal:6543/portal",
            "REDIS_URL": "redis://cache.internal:6379/2",
            "EMAIL_URL": "smtp://mailer:pw@smtp.internal:2525",
        },
        code=code,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "portal",
        "portal",
        "s@cret",
        "db.internal",
        "6543",
        "redis://cache.internal:6379/2",
        "False",
        "smtp.internal",
        "2525",
        "mailer",
    ]


PRINT_DEBUG = ["manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"]


def test_manage_py_uses_development_defaults_only_without_a_secret_key():
    development = run_settings({}, args=PRINT_DEBUG)
    assert development.returncode == 0, development.stderr
    assert development.stdout.strip().endswith("True")

    deployed = run_settings({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "portal.example.org"}, args=PRINT_DEBUG)
    assert deployed.returncode == 0, deployed.stderr
    assert deployed.stdout.strip().endswith("False")


def test_the_web_process_refuses_to_start_without_a_secret_key():
    result = run_settings({}, code="import coalition.wsgi")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
