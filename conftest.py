"""Shared fixtures: test personas for every role, and the settings the suite runs with."""

import os

# Set before pytest-django loads the settings (it reads them after this file is imported):
# the suite runs with the development defaults unless the environment says otherwise.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coalition.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402
import pytest  # noqa: E402

django.setup()


@pytest.fixture(autouse=True)
def _fast_passwords_and_local_mail(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def _user_with_role(django_user_model, email, *, role=None, status="approved", is_staff=False):
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    from members.models import Profile

    user = django_user_model.objects.create_user(
        email=email, password="correct-horse-battery", first_name=email.split("@")[0].title(), last_name="Test"
    )
    user.is_staff = is_staff
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(user=user, first_name=user.first_name, last_name="Test", status=status)
    return user


@pytest.fixture
def pending_member(db, django_user_model):
    return _user_with_role(django_user_model, "pending@example.org", role=None, status="pending")


@pytest.fixture
def declined_member(db, django_user_model):
    return _user_with_role(django_user_model, "declined@example.org", role=None, status="declined")


@pytest.fixture
def member(db, django_user_model):
    return _user_with_role(django_user_model, "member@example.org", role="Member")


@pytest.fixture
def editor(db, django_user_model):
    return _user_with_role(django_user_model, "editor@example.org", role="Editorial team")


@pytest.fixture
def coordinator(db, django_user_model):
    return _user_with_role(django_user_model, "coordinator@example.org", role="Coordinator", is_staff=True)


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def pytest_report_header(config):
    from django.conf import settings

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.REDIS_URL else "in-process (eager tasks)"
    return [f"database: {vendor}", f"broker: {broker}"]
