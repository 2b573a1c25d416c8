"""Pages of the directory, own profile, approval, organisations and the parents' support route."""

import json
from dataclasses import dataclass

import vobject
from django.contrib import messages
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from coalition.access import get_object_or_refuse, permission_required
from coalition.fragments import render_rows
from coalition.media import serve_media
from coalition.rules import refuse
from coalition.templatetags.choices import choice_label

from . import services
from .exports import data_nodes, readable_member_data
from .forms import (
    DeclineForm,
    DeleteAccountForm,
    DirectoryFilterForm,
    OfferingFilterForm,
    OfferingForm,
    OrganisationFilterForm,
    OrganisationForm,
    ProfileForm,
)
from .models import Avatar, ContactCard, LifePhase, Offering, Organisation, Profile
from .rules import another_member

DIRECTORY_PAGE_SIZE = 25
ORGANISATION_PAGE_SIZE = 30

# Parts a higher layer adds to an organisation's page, in its AppConfig.ready() (the network: the coalitions the
# organisation is a partner of, in which circle, and its signatures). Each takes (organisation, user) and returns
# an object with `title`, `template` and `context`, or None to add nothing.
ORGANISATION_PAGE_SECTIONS = []
# Parts a higher layer adds to a member's own page (groups: "My actions"), the same way: each takes (profile, user).
OWN_PAGE_SECTIONS = []


# Each view names the permission it needs (members/rules.py); a refusal is the one 403 page, or login for visitors.


@dataclass(frozen=True)
class DirectoryEntry:
    """All one directory row shows (templates/members/rows/directory_entry.html), as one viewer may see it."""

    url: str
    name: str  # a person without a name is never shown by an e-mail address they keep hidden: the card decides
    avatar: Avatar
    is_ambassador: bool
    is_possibly_outdated: bool
    is_listed: bool
    job_title: str
    organisation_name: str
    organisation_url: str
    discipline: str
    municipalities: tuple[str, ...]
    card: ContactCard

    @classmethod
    def of(cls, profile, viewer):
        card = profile.contact_card(viewer)
        organisation = profile.organisation
        return cls(
            url=profile.get_absolute_url(),
            name=profile.full_name or card.email,
            avatar=profile.avatar,
            is_ambassador=profile.is_ambassador,
            is_possibly_outdated=profile.is_possibly_outdated,
            is_listed=profile.is_listed,
            job_title=profile.job_title,
            organisation_name=organisation.name if organisation else "",
            organisation_url=organisation.get_absolute_url() if organisation else "",
            discipline=str(choice_label(profile, "discipline")) if profile.discipline else "",
            municipalities=tuple(municipality.name for municipality in profile.municipalities.all()),
            card=card,
        )


@dataclass(frozen=True)
class PersonEntry:
    """One of an organisation's people (templates/members/rows/organisation_person.html), as one viewer may see it."""

    url: str
    name: str
    job_title: str
    avatar: Avatar
    card: ContactCard

    @classmethod
    def of(cls, profile, viewer):
        return cls(
            url=profile.get_absolute_url(),
            name=profile.full_name,
            job_title=profile.job_title,
            avatar=profile.avatar,
            card=profile.contact_card(viewer),
        )


@dataclass(frozen=True)
class OfferingEntry:
    """One offering on the route (templates/members/rows/offering.html), as one viewer sees it on one page."""

    pk: int
    heading: str  # the heading's level on this page
    title: str
    organisation_name: str  # empty on the organisation's own page
    organisation_url: str
    is_active: bool
    is_possibly_outdated: bool
    description: str
    target_group: str
    access: str
    referral_by: str
    conditions: str
    phone: str
    email: str
    address: str
    contact: str
    person: PersonEntry | None  # the contact person, where the viewer may see them and the page is not public
    municipalities: tuple[str, ...]
    themes: tuple[str, ...]
    needs_review: str  # only for those who may edit it
    edit_url: str

    @classmethod
    def of(cls, offering, viewer, *, heading, show_organisation, public_only, can_edit):
        organisation = offering.organisation
        person = None if public_only else getattr(offering, "person", None)
        return cls(
            pk=offering.pk,
            heading=heading,
            title=offering.title,
            organisation_name=organisation.name if show_organisation else "",
            organisation_url=organisation.get_absolute_url() if show_organisation else "",
            is_active=offering.is_active,
            is_possibly_outdated=offering.is_possibly_outdated,
            description=offering.description,
            target_group=offering.target_group,
            access=str(choice_label(offering, "access")),
            referral_by=offering.referral_by,
            conditions=offering.conditions,
            phone=offering.phone,
            email=offering.email,
            address=offering.address,
            contact=offering.contact,
            person=PersonEntry.of(person, viewer) if person else None,
            municipalities=tuple(municipality.name for municipality in offering.municipalities.all()),
            themes=tuple(theme.name for theme in offering.themes.all()),
            needs_review=offering.needs_review if can_edit else "",
            edit_url=reverse("members:offering_edit", args=[organisation.slug, offering.pk]) if can_edit else "",
        )


def _with_offering_rows(offerings, viewer, *, heading="h3", show_organisation=True, public_only=False, can_edit=False):
    """Give each offering `row`, its HTML (coalition.fragments.render_rows). Unless `public_only`, an offering's
    `person` (set by `_contact_people`) is shown with what the viewer may see of them; `can_edit` adds what those
    who keep the page current need (the points to check, the edit link)."""
    flags = {"heading": heading, "show_organisation": show_organisation, "public_only": public_only}
    entries = [OfferingEntry.of(offering, viewer, **flags, can_edit=can_edit) for offering in offerings]
    for offering, row in zip(offerings, render_rows("members/rows/offering.html", entries), strict=True):
        offering.row = row
    return offerings


def _page(request, queryset, size):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


# --- The directory -----------------------------------------------------------------------------


@require_GET
@permission_required("members.view_directory")
def profile_list(request):
    form = DirectoryFilterForm(request.GET or None)
    # The stored search document (search_text, search_vector) is never shown: not read for the page's rows.
    profiles = (
        Profile.objects.visible_to(request.user)
        .select_related("user", "organisation")
        .defer("search_text", "search_vector")
    )
    if form.is_bound and form.is_valid():
        profiles = form.filter(profiles)
    # A search pages through its matches ranking only what a page needs (members.models.RankedMatches).
    page = _page(request, profiles.prefetch_related("municipalities").pages(), DIRECTORY_PAGE_SIZE)
    entries = [DirectoryEntry.of(profile, request.user) for profile in page.object_list]
    return render(
        request,
        "members/profile_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": render_rows("members/rows/directory_entry.html", entries),
            "is_filtered": form.is_bound and any(form.data.get(f) for f in form.fields),
        },
    )


def _visible_profile(viewer, pk):
    """A person's page as `members.view_member` allows: one the viewer may not see is not found (404), as in lists."""
    profile = get_object_or_404(
        Profile.objects.visible_to(viewer)
        .select_related("user", "organisation")
        .prefetch_related("municipalities", "themes"),
        pk=pk,
    )
    profile.card = profile.contact_card(viewer)
    return profile


def _profile_page(viewer, pk):
    """The context of a person's page as `viewer` sees it: the one definition for the page and for its preview."""
    profile = _visible_profile(viewer, pk)
    return {"profile": profile, "is_own": profile.user_id == viewer.pk}


@require_GET
@permission_required("members.view_directory")
def profile_detail(request, pk):
    return render(request, "members/profile_detail.html", _profile_page(request.user, pk))


def build_vcard(profile, card, *, url):
    """A vCard 3.0 holding only what `card` (one viewer's contact card) allows.

    vobject escapes every value: a CR, LF, `;` or `,` typed into a profile cannot start a property of its own.
    """
    vcard = vobject.vCard()
    vcard.add("version").value = "3.0"
    vcard.add("n").value = vobject.vcard.Name(family=profile.last_name, given=profile.first_name)
    # Never fall back on an e-mail address this viewer may not see.
    vcard.add("fn").value = profile.full_name or card.email or str(_("Member without a name"))
    if profile.organisation_id:
        vcard.add("org").value = [profile.organisation.name]
    if profile.job_title:
        vcard.add("title").value = profile.job_title
    for number, types in ((card.direct_phone, ["WORK", "VOICE", "PREF"]), (card.team_phone, ["WORK"])):
        if number:
            tel = vcard.add("tel")
            tel.value, tel.type_param = number, types
    if card.email:
        email = vcard.add("email")
        email.value, email.type_param = card.email, ["INTERNET", "WORK"]
    if card.availability:
        vcard.add("note").value = card.availability
    vcard.add("url").value = url
    return _fold_at_75_octets(vcard.serialize())


def _fold_at_75_octets(serialized):
    """Lines of at most 75 octets, never splitting a character (RFC 6350 3.2).

    vobject folds at 75 characters, so a line with é, ë or – ran longer; its folds are undone and redone.
    Values hold no line breaks (vobject escapes them), so every CRLF + space is a fold.
    """
    lines = []
    for line in serialized.replace("\r\n ", "").split("\r\n"):
        part, octets = "", 0
        for char in line:
            width = len(char.encode())
            if octets + width > 75:
                lines.append(part)
                part, octets = " ", 1
            part, octets = part + char, octets + width
        lines.append(part)
    return "\r\n".join(lines)


@require_GET
@permission_required("members.view_directory")
def profile_vcard(request, pk):
    profile = _visible_profile(request.user, pk)
    body = build_vcard(profile, profile.card, url=request.build_absolute_uri(profile.get_absolute_url()))
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    filename = slugify(profile.full_name) or f"contact-{profile.pk}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.vcf"'
    response["Cache-Control"] = "private, no-store"
    return response


# A browser keeps a photo for an hour at most: someone who becomes unlisted is gone from others' screens soon.
PHOTO_CACHE_CONTROL = "private, max-age=3600"


@require_safe
def profile_photo(request, name):
    """A photo or its thumbnail at its MEDIA_URL address (`photos/…`), only for those who may see the person."""
    stored = f"{Profile._meta.get_field('photo').upload_to}{name}"
    photos = Profile.objects.select_related("user").filter(Q(photo=stored) | Q(photo_thumbnail=stored))
    get_object_or_refuse(request, "members.view_photo", photos)
    return serve_media(request, stored, cache_control=PHOTO_CACHE_CONTROL)


# --- Own profile, export, deletion -------------------------------------------------------------


def _own_profile(user):
    profile = getattr(user, "profile", None)
    return profile or services.create_pending_profile(user)


@permission_required("members.manage_own_account")
@require_http_methods(["GET", "POST"])
def me(request):
    profile = _own_profile(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        services.save_profile(
            form.save(commit=False),
            by=request.user,
            municipalities=form.cleaned_data["municipalities"],
            themes=form.cleaned_data["themes"],
            photo=form.processed_image,
            remove_photo=form.cleaned_data["remove_photo"] and not form.processed_image,
        )
        messages.success(request, _("Your profile is saved. Thank you for keeping it current."))
        return redirect("members:me")
    return render(
        request,
        "members/me.html",
        {
            "form": form,
            "profile": profile,
            "organisations": Organisation.objects.editable_by(request.user).filter(contacts=profile),
            "sections": [s for make in OWN_PAGE_SECTIONS if (s := make(profile, request.user))],
        },
    )


@permission_required("members.manage_own_account")
@require_GET
def me_preview(request):
    """The page 'see my page as others do': the profile page through the eyes of another ordinary approved member.

    Rendered by the profile page's own view code and template for a stand-in viewer (`another_member`), so it shows
    what a colleague sees, no more and no less; when colleagues cannot see the page at all, it says why.
    """
    profile = _own_profile(request.user)
    try:
        context = _profile_page(another_member(), profile.pk)
    except Http404:
        context = {"profile": profile, "hidden_because": _why_colleagues_do_not_see(profile)}
    return render(request, "members/me_preview.html", context)


def _why_colleagues_do_not_see(profile):
    if profile.is_pending:
        return _("Other members do not see your page yet: your account awaits approval by a coordinator.")
    if profile.is_declined:
        return _("Other members do not see your page: your account was not approved for the member directory.")
    if not profile.is_listed:
        return _("Other members do not see your page: you are not listed in the directory. Coordinators still see it.")
    return _("Other members do not see your page.")


def _my_data(user):
    """Everything the portal holds about `user`, as they read it (members.exports.readable_member_data)."""
    data = services.export_data(user)
    data["exported_at"] = timezone.now().isoformat()
    return readable_member_data(data)


@never_cache
@permission_required("members.manage_own_account")
@require_GET
def me_export(request):
    response = HttpResponse(
        json.dumps(_my_data(request.user), indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@never_cache
@permission_required("members.manage_own_account")
@require_GET
def me_data(request):
    """'My data' to read or print: the same data as the JSON download."""
    return render(request, "members/me_data.html", {"sections": data_nodes(_my_data(request.user))})


@permission_required("members.manage_own_account")
@require_http_methods(["GET", "POST"])
def me_delete(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_account(request.user)
        except services.MembershipError as error:
            messages.error(request, str(error))
            return redirect("members:me")
        logout(request)
        messages.success(request, _("Your account and profile are deleted."))
        return redirect("home")
    return render(request, "members/me_delete.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm_details(request, token):
    """The one-click link from the confirmation mail; confirming is a POST so link scanners cannot do it."""
    profile = services.profile_for_confirmation_token(token)
    if profile is None:
        return render(request, "members/confirm_details.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.confirm_details(profile)
        messages.success(request, _("Thank you, your details are confirmed."))
        return render(request, "members/confirm_details.html", {"profile": profile, "done": True})
    return render(request, "members/confirm_details.html", {"profile": profile})


# --- Approval ----------------------------------------------------------------------------------


@require_GET
@permission_required("members.approve_profile")
def pending(request):
    # A coalition coordinator approves the people of their own municipalities only: each row asks the rule.
    profiles = [
        profile
        for profile in Profile.objects.pending()
        .select_related("user", "organisation")
        .prefetch_related("municipalities")
        .order_by("created_at", "pk")
        if request.user.has_perm("members.approve_profile", profile)
    ]
    declined = [
        profile
        for profile in Profile.objects.filter(status=Profile.Status.DECLINED)
        .select_related("user")
        .prefetch_related("municipalities")
        .order_by("-status_changed_at")[:20]
        if request.user.has_perm("members.approve_profile", profile)
    ]
    return render(
        request,
        "members/pending.html",
        {
            "profiles": profiles,
            "declined": declined,
            "decline_form": DeclineForm(),
        },
    )


def _back_after_decision(request):
    """Where a decision returns to: the page that asked (`next`, e.g. the cockpit) if it is on this site, else the
    pending page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("members:pending")


@require_POST
@permission_required("members.approve_profile")
def approve_profile(request, pk):
    profile = get_object_or_refuse(request, "members.approve_profile", Profile.objects.all(), pk=pk)
    try:
        services.approve(profile, by=request.user)
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is approved and receives a welcome mail.") % {"name": profile})
    return _back_after_decision(request)


@require_POST
@permission_required("members.approve_profile")
def decline_profile(request, pk):
    profile = get_object_or_refuse(request, "members.approve_profile", Profile.objects.all(), pk=pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        # Never decline with the reason silently dropped: the mail would go out without it.
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return _back_after_decision(request)
    try:
        services.decline(profile, by=request.user, reason=form.cleaned_data["reason"])
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is declined and receives a mail.") % {"name": profile})
    return _back_after_decision(request)


# --- Organisations and offerings (public) ------------------------------------------------------


@require_GET
def organisation_list(request):
    form = OrganisationFilterForm(request.GET or None)
    organisations = Organisation.objects.prefetch_related("municipalities")
    if form.is_bound and form.is_valid():
        organisations = form.filter(organisations)
    page = _page(request, organisations, ORGANISATION_PAGE_SIZE)
    return render(request, "members/organisation_list.html", {"form": form, "page_obj": page})


@require_GET
def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.prefetch_related("municipalities"), slug=slug)
    can_edit = request.user.has_perm("members.edit_organisation", organisation)
    # Those who keep the page current also see switched-off offerings: otherwise an offering
    # once marked inactive could never be found again to switch it back on.
    offerings = organisation.offerings.all() if can_edit else organisation.offerings.active()
    offerings = offerings.prefetch_related("municipalities", "themes").order_by("title", "pk")
    # People are shown to approved members only (visible_to is empty for everyone else).
    people = (
        Profile.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("user", "organisation")
        .defer("search_text", "search_vector")  # the stored search document: large, and not shown
    )
    people_rows = render_rows(
        "members/rows/organisation_person.html", [PersonEntry.of(profile, request.user) for profile in people]
    )
    return render(
        request,
        "members/organisation_detail.html",
        {
            "organisation": organisation,
            "offerings": _by_phase(
                _with_offering_rows(
                    _contact_people(list(offerings), request.user),
                    request.user,
                    heading="h4",
                    show_organisation=False,
                    can_edit=can_edit,
                )
            ),
            "people": people_rows,
            "can_edit": can_edit,
            "sections": [s for make in ORGANISATION_PAGE_SECTIONS if (s := make(organisation, request.user))],
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    organisation = get_object_or_refuse(request, "members.edit_organisation", Organisation.objects.all(), slug=slug)
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        organisation = services.save_organisation(
            form.save(commit=False),
            by=request.user,
            municipalities=form.cleaned_data["municipalities"],
            logo=form.processed_image,
            remove_logo=form.cleaned_data["remove_logo"] and not form.processed_image,
        )
        messages.success(request, _("The organisation page is saved."))
        return redirect(organisation)
    return render(request, "members/organisation_form.html", {"form": form, "organisation": organisation})


@require_http_methods(["GET", "POST"])
def offering_edit(request, slug, pk=None):
    if pk is None:
        offering = Offering(organisation=get_object_or_404(Organisation, slug=slug))
        if not request.user.has_perm("members.edit_offering", offering):
            refuse(request.user, "members.edit_offering")
        organisation = offering.organisation
    else:
        offerings = Offering.objects.select_related("organisation")
        offering = get_object_or_refuse(request, "members.edit_offering", offerings, organisation__slug=slug, pk=pk)
        organisation = offering.organisation
    form = OfferingForm(request.POST or None, instance=offering)
    if request.method == "POST" and form.is_valid():
        services.save_offering(
            form.save(commit=False),
            by=request.user,
            municipalities=form.cleaned_data["municipalities"],
            themes=form.cleaned_data["themes"],
        )
        messages.success(request, _("The offering is saved."))
        return redirect(organisation)
    return render(
        request, "members/offering_form.html", {"form": form, "organisation": organisation, "offering": offering}
    )


def _by_phase(offerings):
    """Offerings grouped on the route, in the order of life: [(phase value, label, [offerings])].

    An offering for several phases is listed in each of them.
    """
    groups = {phase.value: [] for phase in LifePhase}
    for offering in offerings:
        for phase in offering.life_phases or []:
            if phase in groups:
                groups[phase].append(offering)
    return [(phase.value, phase.label, groups[phase.value]) for phase in LifePhase]


def _route_phases(form, offerings):
    """The route's phases that hold support, as _by_phase; with a phase chosen, that phase alone (an offering in
    several phases matches the filter by one of them, and is listed only there)."""
    chosen = form.cleaned_data.get("life_phase") if form.is_bound and form.is_valid() else ""
    return [group for group in _by_phase(offerings) if group[2] and (not chosen or group[0] == chosen)]


def _route_offerings(request):
    """The filter form and the offerings it selects, for the route and its print view alike."""
    form = OfferingFilterForm(request.GET or None)
    offerings = (
        Offering.objects.active()
        .select_related("organisation")
        .prefetch_related(Prefetch("municipalities"), "themes")
        .defer("search_text", "search_vector")  # the stored search document: large, and not shown
        .order_by("title", "pk")
    )
    if form.is_bound and form.is_valid():
        offerings = form.filter(offerings)
    return form, offerings


def _contact_people(offerings, viewer):
    """Give each offering `person` (its contact person) where `viewer` may see that person.

    Approved members see a contact person as the directory shows them (an unlisted one not at all), with the details
    that person's visibility allows (their card, built with the row: OfferingEntry); visitors, pending and declined
    people see no one (visible_to is empty).
    """
    ids = {o.contact_person_id for o in offerings if o.contact_person_id}
    people = {}
    if ids:
        people = {
            p.pk: p
            for p in Profile.objects.visible_to(viewer)
            .filter(pk__in=ids)
            .select_related("user", "organisation")
            .defer("search_text", "search_vector")
        }
    for offering in offerings:
        offering.person = people.get(offering.contact_person_id)
    return offerings


@require_GET
def offering_list(request):
    form, offerings = _route_offerings(request)
    offerings = _with_offering_rows(_contact_people(list(offerings), request.user), request.user)
    phases = _route_phases(form, offerings)
    return render(
        request,
        "members/offering_list.html",
        {"form": form, "phases": phases, "print_query": request.GET.urlencode(), "count": len(offerings)},
    )


@require_GET
def offering_print(request):
    """The route as a page to print or send to parents: the same filters, only what is public (no contact person)."""
    form, offerings = _route_offerings(request)
    offerings = _with_offering_rows(list(offerings), request.user, public_only=True)
    phases = _route_phases(form, offerings)
    return render(
        request,
        "members/offering_print.html",
        {"form": form, "phases": phases, "route_query": request.GET.urlencode(), "count": len(offerings)},
    )


@require_http_methods(["GET", "POST"])
def offering_confirm(request, token):
    """The one-button link from the mail to an organisation's contacts; a POST, so link scanners cannot confirm."""
    offering = services.offering_for_confirmation_token(token)
    if offering is None:
        return render(request, "members/offering_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.confirm_offering(offering)
        return render(request, "members/offering_confirm.html", {"offering": offering, "done": True})
    _with_offering_rows([offering], request.user, heading="h2", show_organisation=False, public_only=True)
    return render(request, "members/offering_confirm.html", {"offering": offering})
