"""What a developer meets with `make run`: links that point at the port served, a quiet log, readable mail."""

import io
import shutil
import subprocess

import pytest
from django.core.mail import EmailMultiAlternatives

from events import calendar, services
from events.tests.factories import EventFactory, approved_member

from .test_settings import BASE_DIR, run_settings


def _make_run(*args, env=None):
    """The commands `make run` would run (make -n runs nothing), as lines."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    clean = {"PATH": "/usr/bin:/bin:/usr/local/bin", **(env or {})}
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    ("args", "env", "site_url", "served"),
    [
        ([], {}, "http://127.0.0.1:8000", "127.0.0.1:8000"),
        (["PORT=8101"], {}, "http://127.0.0.1:8101", "127.0.0.1:8101"),
        (["HOST=localhost", "PORT=8101"], {}, "http://localhost:8101", "localhost:8101"),
        (["PORT=8101"], {"SITE_URL": "https://portal.example.org"}, "https://portal.example.org", "127.0.0.1:8101"),
        (["PORT=8101", "SITE_URL=http://10.0.0.5:8101"], {}, "http://10.0.0.5:8101", "127.0.0.1:8101"),
    ],
)
def test_make_run_gives_every_command_the_site_url_of_the_port_it_serves(args, env, site_url, served):
    commands = [line for line in _make_run(*args, env=env) if "manage.py" in line and "compilemessages" not in line]
    assert [line.split("manage.py ")[1].split()[0] for line in commands] == ["migrate", "seed_demo", "runserver"]
    assert all(f"SITE_URL={site_url} " in line for line in commands), commands
    assert commands[-1].endswith(f"runserver {served}")


PROBE = """
import django
django.setup()
from django.conf import settings
from coalition.celery import app

@app.task(name="probe.ping")
def ping():
    return "pong"

print(settings.MAILERS["default"]["BACKEND"], ping.delay().get())
"""


def test_in_process_tasks_log_no_kombu_warning():
    result = run_settings({"DEBUG": "true"}, code=PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["coalition.mail_console.EmailBackend", "pong"]
    assert "No hostname was supplied" not in result.stderr
    assert "WARNING" not in result.stderr


def _console(settings):
    stream = io.StringIO()
    settings.MAILERS = {"default": {"BACKEND": "coalition.mail_console.EmailBackend", "OPTIONS": {"stream": stream}}}
    return stream


def test_the_console_shows_a_calendar_file_as_its_name_and_size(settings, db):
    stream = _console(settings)
    event = EventFactory(title="Werkbezoek bij de coördinator")
    ics = calendar.attachment(event, method=calendar.REQUEST)
    message = EmailMultiAlternatives(
        subject="Je bent aangemeld: Werkbezoek bij de coördinator",
        body="Hallo Jan & Piet,\nMeer op https://portal.example.org/events/?a=1&b=2\n",
        to=['"de Vries, J.P." <jp@example.org>'],
    )
    message.attach_alternative("<p>Hallo Jan &amp; Piet</p>", "text/html")
    message.attach(ics["filename"], ics["content"], ics["mimetype"])
    message.send()
    printed = stream.getvalue()
    assert "BEGIN:VTIMEZONE" not in printed and "BEGIN:VCALENDAR" not in printed
    size = len(ics["content"].replace("\r\n", "\n").encode())
    assert f"[attachment: event.ics (text/calendar, {size:,} bytes)]" in printed
    assert "[text/html part, " in printed
    assert "Subject: Je bent aangemeld: Werkbezoek bij de coördinator" in printed
    assert 'To: "de Vries, J.P." <jp@example.org>' in printed
    assert "Hallo Jan & Piet,\nMeer op https://portal.example.org/events/?a=1&b=2" in printed
    assert len(printed.splitlines()) < 15


def test_a_registration_mail_through_the_outbox_prints_in_a_few_lines(settings, db, django_capture_on_commit_callbacks):
    stream = _console(settings)
    with django_capture_on_commit_callbacks(execute=True):
        services.register(EventFactory(), approved_member())
    printed = stream.getvalue()
    assert "[attachment: event.ics (text/calendar, " in printed
    assert "VTIMEZONE" not in printed
    assert "=C3=" not in printed, "the text part is decoded, not quoted-printable"
    assert len(printed.splitlines()) < 40
