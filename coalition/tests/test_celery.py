"""With REDIS_URL set, tasks run on a real Celery worker over Redis, not in-process."""

import os
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from coalition.celery import app, registered_task


@app.task(name="coalition.tests.multiply")
def multiply(a, b, *, reply_to=None):
    """Multiply, and push the answer onto a Redis list when asked (no result backend needed)."""
    answer = a * b
    if reply_to:
        redis.Redis.from_url(os.environ["REDIS_URL"]).rpush(reply_to, answer)
    return answer


@pytest.mark.celery_worker
def test_a_real_worker_executes_a_task_over_redis():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: tasks run in-process (eagerly)")

    reply_to = f"test-celery-{uuid.uuid4()}"
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            multiply.delay(6, 7, reply_to=reply_to)
            popped = client.blpop(reply_to, timeout=30)
    finally:
        app.conf.task_always_eager = was_eager
        client.delete(reply_to)
    assert popped is not None, "the worker did not run the task within 30 seconds"
    assert int(popped[1]) == 42


def test_without_redis_tasks_run_in_process():
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set: tasks go to the broker")
    assert app.conf.task_always_eager
    assert multiply.delay(3, 4).get() == 12


@pytest.mark.parametrize(
    "name",
    [
        *(entry["task"] for entry in app.conf.beat_schedule.values()),
        # Queued messages and scheduled retries name these; a task in flight during a deploy must find them.
        "coalition.tasks.send_mailing",
        "coalition.tasks.send_batch",
        "coalition.tasks.resume_mailings",
    ],
)
def test_every_task_the_beat_schedule_or_the_outbox_names_is_registered(name):
    assert registered_task(name).name == name
