"""Sending the events' mass mails in tests as a coordinator does: through the check step (coalition.checkstep)."""

from coalition import checkstep
from network.audiences import Segment


def segment(**criteria):
    """Segment params from objects or ids, as a SegmentForm would store them."""
    ids = {
        name: tuple(sorted(getattr(value, "pk", value) for value in values))
        for name, values in criteria.items()
        if name in ("coalitions", "municipalities", "organisations", "themes")
    }
    rest = {name: value for name, value in criteria.items() if name not in ids}
    for name in ("levels", "disciplines"):
        if name in rest:
            rest[name] = tuple(sorted(rest[name]))
    return Segment(**ids, **rest).to_params()


def send(key, params, *, by):
    """Open the check and confirm what it counted; returns the mailing."""
    check = checkstep.open_check(key, params, by=by)
    return checkstep.confirm_check(check, by=by, fingerprint=check.fingerprint)


def count(key, params, *, by):
    """How many a sent check reached (its recipient count), after sending it."""
    check = checkstep.open_check(key, params, by=by)
    checkstep.confirm_check(check, by=by, fingerprint=check.fingerprint)
    return check.recipient_count


def audience_emails(key, params):
    """The addresses the kind would mail now, sorted."""
    return sorted(recipient.email for recipient in checkstep.KINDS[key](params).audience().recipients)


def check_of(response):
    """The MailCheck a composing page redirected to (its check page)."""
    from coalition.models import MailCheck  # noqa: PLC0415 — models load after the app registry (test collection)

    assert response.status_code == 302, getattr(response, "text", response)
    check = MailCheck.objects.order_by("-pk").first()
    assert response["Location"] == check.get_absolute_url()
    return check


def confirm_on_page(client, response, **extra):
    """Confirm, on the check page, the check a composing page redirected to; returns the confirm's response."""
    check = check_of(response)
    return client.post(check.get_absolute_url(), {"action": "confirm", "fingerprint": check.fingerprint}, **extra)
