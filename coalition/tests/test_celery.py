"""With REDIS_URL set, tasks run on a real Celery worker over Redis, not in-process."""

import os

import pytest

from coalition.celery import app


@app.task(name="coalition.tests.multiply")
def multiply(a, b):
    return a * b


@pytest.mark.celery_worker
def test_a_real_worker_executes_a_task_over_redis():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set: tasks run in-process (eagerly)")
    from celery.contrib.testing.worker import start_worker

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.result_backend = os.environ["REDIS_URL"]
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = multiply.delay(6, 7)
            assert result.get(timeout=20) == 42
            assert result.successful()
    finally:
        app.conf.result_backend = None
        app.conf.task_always_eager = was_eager


def test_without_redis_tasks_run_in_process(settings):
    if os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is set: tasks go to the broker")
    assert app.conf.task_always_eager
    assert multiply.delay(3, 4).get() == 12
