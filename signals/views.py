"""Pages of the signal route: pick a signal, see its card for your municipality, print a municipality's cards."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coalition.access import permission_required
from members.models import Municipality, Offering

from .forms import RouteForm
from .models import Signal, SignalCard, SignalContact

# The municipality a member last chose, for the rest of the session.
SESSION_MUNICIPALITY = "signals_municipality"
# What the service worker compares to know the session its cached cards belong to (static/js/signals-sw.js).
SESSION_HEADER = "X-Signals-Session"


@dataclass
class Contact:
    """One person to call, with only what this viewer may see of them (or their organisation's number)."""

    name: str
    role: str
    organisation: str
    phones: list
    email: str
    availability: str
    is_fallback: bool


def _session_marker(request):
    """A key for this login's session, never the session key itself: a new login means a new marker."""
    if not request.session.session_key:
        request.session.save()
    return salted_hmac("signals.sw", request.session.session_key, algorithm="sha256").hexdigest()[:20]


def _marked(request, response):
    response[SESSION_HEADER] = _session_marker(request)
    # Cards name people: a shared cache may not keep them, the member's own browser only for this session.
    response["Cache-Control"] = "private, no-cache"
    return response


def _chosen_municipality(request, municipalities):
    """The municipality from ?municipality=, else the session, else the person's profile (their first one)."""
    by_slug = {municipality.slug: municipality for municipality in municipalities}
    slug = request.GET.get("municipality") or request.session.get(SESSION_MUNICIPALITY)
    if slug in by_slug:
        request.session[SESSION_MUNICIPALITY] = slug
        return by_slug[slug]
    profile = getattr(request.user, "profile", None)
    if profile is not None:
        first = profile.municipalities.order_by("name").first()
        if first is not None:
            return by_slug.get(first.slug)
    return None


@require_GET
@permission_required("signals.view_route")
def signal_list(request):
    municipalities = list(Municipality.objects.order_by("name"))
    municipality = _chosen_municipality(request, municipalities)
    form = RouteForm(
        request.GET or None,
        municipalities=municipalities,
        initial={"municipality": municipality.slug if municipality else ""},
    )
    query = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    signals = list(Signal.objects.search(query).only("name", "slug", "description", "is_urgent", "position"))
    return _marked(
        request,
        render(
            request,
            "signals/signal_list.html",
            {
                "form": form,
                "signals": signals,
                "municipality": municipality,
                "query": query,
            },
        ),
    )


@require_GET
@permission_required("signals.view_route")
def signal_detail(request, slug):
    """A signal without a municipality yet: what to do first, and the municipalities to choose from."""
    signal = get_object_or_404(Signal, slug=slug)
    municipalities = list(Municipality.objects.order_by("name"))
    return _marked(
        request,
        render(request, "signals/signal_detail.html", {"signal": signal, "municipalities": municipalities}),
    )


def _contacts(card, user):
    """The card's people as this viewer may reach them; one who left shows their organisation's number instead."""
    contacts = []
    for contact in card.contacts.all():
        profile = contact.profile
        organisation = (profile.organisation if profile and profile.organisation_id else None) or contact.organisation
        organisation_phone = organisation.phone if organisation else ""
        if contact.is_reachable:
            reach = profile.contact_card(user)
            contacts.append(
                Contact(
                    name=str(profile),
                    role=contact.role,
                    organisation=str(organisation or ""),
                    phones=[
                        (label, number)
                        for label, number in (
                            (_("direct"), reach.direct_phone),
                            (_("team"), reach.team_phone),
                            (_("organisation"), reach.organisation_phone),
                        )
                        if number
                    ],
                    email=reach.email,
                    availability=reach.availability,
                    is_fallback=False,
                )
            )
        else:
            contacts.append(
                Contact(
                    name="",
                    role=contact.role,
                    organisation=str(organisation or ""),
                    phones=[(_("organisation"), organisation_phone)] if organisation_phone else [],
                    email="",
                    availability="",
                    is_fallback=True,
                )
            )
    return contacts


def _card_queryset():
    return SignalCard.objects.select_related("signal", "municipality", "coalition").prefetch_related(
        Prefetch(
            "contacts",
            queryset=SignalContact.objects.select_related(
                "profile__user", "profile__organisation", "organisation"
            ).order_by("position", "pk"),
        ),
        Prefetch("offerings", queryset=Offering.objects.active().select_related("organisation").order_by("title")),
    )


@require_GET
@permission_required("signals.view_route")
def card(request, slug, municipality):
    signal = get_object_or_404(Signal, slug=slug)
    municipality = get_object_or_404(Municipality, slug=municipality)
    request.session[SESSION_MUNICIPALITY] = municipality.slug
    found = _card_queryset().for_place(signal, municipality)
    return _marked(
        request,
        render(
            request,
            "signals/card.html",
            {
                "signal": signal,
                "municipality": municipality,
                "card": found,
                "contacts": _contacts(found, request.user) if found else [],
                "offerings": list(found.offerings.all()) if found else [],
            },
        ),
    )


@require_GET
@permission_required("signals.view_route")
def print_card(request, municipality):
    """One page for the noticeboard: every signal, its first steps and whom to call, without personal numbers.

    A noticeboard is read by whoever passes, so people appear by name and role only and the numbers are their
    organisations' general lines (a direct phone or e-mail is never shown here, whatever its visibility).
    """
    municipality = get_object_or_404(Municipality, slug=municipality)
    # Its own cards first; a coalition-wide card fills in where the municipality has none.
    cards = {}
    for found in _card_queryset().filter(municipality=municipality):
        cards[found.signal_id] = found
    for found in _card_queryset().filter(coalition__municipality_links__municipality=municipality):
        cards.setdefault(found.signal_id, found)
    rows = []
    for signal in Signal.objects.all():
        found = cards.get(signal.pk)
        people = []
        if found:
            for contact in found.contacts.all():
                organisation = (
                    contact.profile.organisation if contact.profile and contact.profile.organisation_id else None
                ) or contact.organisation
                people.append(
                    {
                        "name": str(contact.profile) if contact.is_reachable else "",
                        "role": contact.role,
                        "organisation": str(organisation or ""),
                        "phone": organisation.phone if organisation else "",
                    }
                )
        rows.append({"signal": signal, "people": people})
    return _marked(request, render(request, "signals/print.html", {"municipality": municipality, "rows": rows}))


@require_GET
@never_cache
def service_worker(request):
    """The service worker's script; from here its scope is /signals/ (see static/js/signals-sw.js)."""
    script = (Path(settings.BASE_DIR) / "static" / "js" / "signals-sw.js").read_text(encoding="utf-8")
    return HttpResponse(script, content_type="text/javascript; charset=utf-8")
