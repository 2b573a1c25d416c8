"""The view side of the rules: one decorator and one lookup-and-permission helper for every view.

A refusal raises PermissionDenied with the reason (`coalition.rules.refusal_reason`); the one 403 handler
(`coalition.views.permission_denied`) sends anonymous visitors to log in and shows everyone else the reason.
Views never decide access themselves: they name a permission.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .rules import refuse


def permission_required(permission: str, *, fn: Callable[..., Any] | None = None) -> Callable[[Callable], Callable]:
    """Let the view run only when `request.user.has_perm(permission, obj)`; `fn(request, *args, **kwargs)` gives obj.

    The object is looked up first, so a missing object is a 404 for everyone who may see such objects.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            obj = fn(request, *args, **kwargs) if fn else None
            if not request.user.has_perm(permission, obj):
                refuse(request.user, permission)
            return view(request, *args, **kwargs)

        wrapped.permission_required = permission
        return wrapped

    return decorator


def get_object_or_refuse(request: HttpRequest, permission: str, queryset: QuerySet | type[Model], **lookup) -> Model:
    """The object `lookup` names, if the person may `permission` it; 404 if there is none, else 403 (or log in)."""
    obj = get_object_or_404(queryset, **lookup)
    if not request.user.has_perm(permission, obj):
        refuse(request.user, permission)
    return obj


def get_object_or_404_unless_permitted(request: HttpRequest, permission: str, queryset: QuerySet, **lookup: Any) -> Any:
    """Like get_object_or_refuse, but a person who may not `permission` it gets a 404, as if it did not exist.

    For unpublished work (a draft edition, story or event): its address must not reveal that it exists.
    """
    obj = get_object_or_404(queryset, **lookup)
    if not request.user.has_perm(permission, obj):
        raise Http404
    return obj
