"""The coalition portal's project package and site-wide app."""

from .celery import app as celery_app

__all__ = ("celery_app",)
