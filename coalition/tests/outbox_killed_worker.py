"""A worker process for the crash drills in test_outbox_concurrency: it claims a batch and SIGKILLs itself.

Usage: python -m coalition.tests.outbox_killed_worker MAILING_ID LIMIT KILL_AT {before,after}

Runs `outbox.deliver_batch(MAILING_ID, limit=LIMIT)` against DATABASE_URL and EMAIL_URL from the
environment and kills itself (SIGKILL: no `finally`, no release, its database session dies with it)
at the KILL_AT-th mail: before handing it to the SMTP server, or after the server accepted it and
before the row is marked (the at-least-once window).
"""

import os
import signal
import sys

import django


def main(mailing_id: int, limit: int, kill_at: int, when: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "coalition.settings"
    django.setup()
    # The outbox's modules follow django.setup(), which needs the environment this process was given.
    from coalition import outbox  # noqa: PLC0415 — after django.setup()

    real_transmit = outbox._transmit
    calls = 0

    def transmit(connection, message):
        nonlocal calls
        calls += 1
        if calls == kill_at:
            if when == "after":
                real_transmit(connection, message)
            os.kill(os.getpid(), signal.SIGKILL)
        return real_transmit(connection, message)

    outbox._transmit = transmit
    outbox.deliver_batch(mailing_id, limit=limit)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
