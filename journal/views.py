"""Pages of the journal: editions, stories, previews, tips, the editorial desk and subscriptions.

Who may open what is asked of the rules in journal/rules.py (coalition.access); unpublished work is not
found (404) by those who may not read it, so an address does not tell that a draft exists.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coalition.access import get_object_or_404_unless_permitted, get_object_or_refuse, permission_required
from coalition.ratelimits import client_address
from coalition.rules import DomainError
from members.models import Profile
from network.models import Coalition

from . import services
from .forms import SubscribeForm, SubscriptionSettingsForm, TipFilterForm, TipForm, TipUpdateForm
from .models import Edition, EditorialMembership, PreviewLink, State, Story, Subscriber, Tip

EDITIONS_PER_PAGE = 12
TIPS_PER_PAGE = 25


def _no_index(response):
    """Unpublished work must not end up in a search engine or a shared cache."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Public journal --------------------------------------------------------------------------------


def edition_list(request):
    """Published editions, newest first; open to everyone."""
    editions = (
        Edition.objects.published()
        .select_related("theme")
        .annotate(story_count=Count("stories", filter=Q(stories__state=State.PUBLISHED)))
        .order_by("-published_at", "-number")
    )
    page = Paginator(editions, EDITIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "journal/edition_list.html", {"page": page, "team": services.current_team()})


def _stories_by_kind(stories):
    order = {value: index for index, value in enumerate(Story.Kind.values)}
    groups = {}
    for story in sorted(stories, key=lambda s: (order[s.kind], s.order, s.pk)):
        groups.setdefault(story.kind, {"kind": story.get_kind_display(), "stories": []})["stories"].append(story)
    return list(groups.values())


def _render_edition(request, edition, stories, *, preview=None):
    response = render(
        request,
        "journal/edition_detail.html",
        {"edition": edition, "groups": _stories_by_kind(stories), "preview": preview, "og_image": _cover_url(edition)},
    )
    return response if edition.is_published and preview is None else _no_index(response)


def _cover_url(edition):
    return edition.cover.url if edition.cover else ""


def _profile_url(profile):
    # The directory's pages come with the members app; until they exist, names are shown without links.
    try:
        return reverse("members:profile_detail", kwargs={"pk": profile.pk})
    except NoReverseMatch:
        return ""


def edition_detail(request, slug):
    """Permission `journal.read`: published editions for everyone; unpublished ones for editors."""
    edition = get_object_or_404_unless_permitted(
        request, "journal.read", Edition.objects.select_related("theme"), slug=slug
    )
    stories = edition.stories.visible_to(request.user).prefetch_related("authors")
    return _render_edition(request, edition, stories)


def _render_story(request, story, *, preview=None):
    people = list(story.featured_people.select_related("organisation"))
    # Links to the directory only for people the visitor may see there; names are part of the story.
    linkable = set(
        Profile.objects.visible_to(request.user).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True)
    )
    response = render(
        request,
        "journal/story_detail.html",
        {
            "story": story,
            "edition": story.edition,
            "people": [(person, _profile_url(person) if person.pk in linkable else "") for person in people],
            "og_image": _cover_url(story.edition),
            "organisations": story.featured_organisations.all(),
            "authors": story.authors.all(),
            "preview": preview,
        },
    )
    return response if story.is_published and preview is None else _no_index(response)


def story_detail(request, edition_slug, slug):
    """Permission `journal.read`: published stories for everyone; unpublished ones for editors."""
    story = get_object_or_404_unless_permitted(
        request, "journal.read", Story.objects.select_related("edition__theme"), edition__slug=edition_slug, slug=slug
    )
    return _render_story(request, story)


def _attachment_response(story):
    if not story.attachment:
        raise Http404
    response = FileResponse(story.attachment.open("rb"), content_type="application/pdf", filename=f"{story.slug}.pdf")
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    if not story.is_published:
        _no_index(response)
    return response


def story_attachment(request, edition_slug, slug):
    """Permission `journal.read`: a published story's magazine PDF for everyone; an unpublished one for editors."""
    story = get_object_or_404_unless_permitted(
        request, "journal.read", Story.objects.select_related("edition"), edition__slug=edition_slug, slug=slug
    )
    return _attachment_response(story)


# --- Preview links ---------------------------------------------------------------------------------


def _resolve_preview(request, token):
    try:
        return services.resolve_preview_link(token), None
    except services.PreviewInvalid:
        raise Http404 from None
    except services.PreviewExpired as error:
        response = render(request, "journal/preview_expired.html", {"message": str(error)}, status=410)
        return None, _no_index(response)


def preview(request, token):
    """Permission: a valid signed, unexpired, unrevoked PreviewLink (no account needed)."""
    link, refused = _resolve_preview(request, token)
    if refused:
        return refused
    if link.story_id:
        return _render_story(request, link.story, preview=link)
    stories = link.edition.stories.prefetch_related("authors")
    return _render_edition(request, link.edition, stories, preview=link)


def preview_story(request, token, slug):
    """Permission: a valid preview link of the edition this story belongs to."""
    link, refused = _resolve_preview(request, token)
    if refused:
        return refused
    if not link.edition_id:
        raise Http404
    story = get_object_or_404(link.edition.stories.select_related("edition"), slug=slug)
    return _render_story(request, story, preview=link)


def preview_attachment(request, token, slug=None):
    """Permission: a valid preview link of the story, or of the edition it belongs to."""
    link, refused = _resolve_preview(request, token)
    if refused:
        return refused
    if link.story_id:
        story = link.story
    elif slug:
        story = get_object_or_404(link.edition.stories.select_related("edition"), slug=slug)
    else:
        raise Http404
    return _attachment_response(story)


# --- The editorial desk ----------------------------------------------------------------------------


@permission_required("journal.use_desk")
def desk(request):
    """Permission `journal.use_desk` (editorial team and coordinators): what is scheduled when, what is in the works."""
    editions = (
        Edition.objects.exclude(state=State.PUBLISHED)
        .annotate(
            drafts=Count("stories", filter=Q(stories__state=State.DRAFT)),
            in_review=Count("stories", filter=Q(stories__state=State.REVIEW)),
            approved=Count("stories", filter=Q(stories__state=State.APPROVED)),
        )
        .order_by("published_at", "number")
    )
    scheduled = [e for e in editions if e.state == State.SCHEDULED]
    in_progress = [e for e in editions if e.state != State.SCHEDULED]
    stories_in_review = Story.objects.filter(state=State.REVIEW).select_related("edition").order_by("edition__number")
    links = PreviewLink.objects.active().select_related("edition", "story__edition", "created_by")[:50]
    return render(
        request,
        "journal/desk.html",
        {
            "scheduled": scheduled,
            "in_progress": in_progress,
            "stories_in_review": stories_in_review,
            "links": links,
            "new_tips": Tip.objects.filter(state=Tip.State.NEW).count(),
            # The admin asks for staff access besides the rule; the link shows only to those it lets in.
            "can_open_admin": request.user.is_staff and request.user.has_perm("journal.view_edition"),
        },
    )


# --- Tips ------------------------------------------------------------------------------------------


def tip_create(request):
    """Open to everyone: members send a tip under their name, visitors leave contact details."""
    form = TipForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_tip(
                what=data["what"],
                who=data["who"],
                why_now=data["why_now"],
                sender=request.user if request.user.is_authenticated else None,
                name=data.get("name", ""),
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                organisation_name=data.get("organisation_name", ""),
                client=client_address(request),
            )
        except services.JournalError as error:
            form.refuse(str(error))
        else:
            return redirect("journal:tip_thanks")
    return render(request, "journal/tip_form.html", {"form": form})


def tip_thanks(request):
    return render(request, "journal/tip_thanks.html")


@permission_required("journal.view_tips")
def tip_list(request):
    """Permission `journal.view_tips`: editorial team and coordinators."""
    filters = TipFilterForm(request.GET or None)
    tips = filters.filter(Tip.objects.select_related("sender", "assigned_to", "story__edition"))
    page = Paginator(tips, TIPS_PER_PAGE).get_page(request.GET.get("page"))
    tip_mail = EditorialMembership.objects.tip_mail_of(request.user)
    context = {"filters": filters, "page": page, "tip_mail": tip_mail}
    return render(request, "journal/tip_list.html", context)


@require_http_methods(["POST"])
@permission_required("journal.view_tips")
def tip_mail(request):
    """An editor switches the mail about every new tip on or off for themselves (journal.services.set_tip_mail)."""
    wanted = request.POST.get("wanted") == "1"
    if services.set_tip_mail(request.user, wanted=wanted):
        if wanted:
            messages.success(request, _("You get a mail for every new tip."))
        else:
            messages.success(request, _("You no longer get a mail for every new tip; the tips stay on this page."))
    return redirect("journal:tip_list")


def tip_detail(request, pk):
    """Permission `journal.view_tips`; state changes go through services.update_tip (rule `journal.handle_tip`)."""
    tip = get_object_or_refuse(
        request, "journal.view_tips", Tip.objects.select_related("sender", "assigned_to", "story__edition"), pk=pk
    )
    initial = {"state": tip.state, "assigned_to": tip.assigned_to, "story": tip.story, "note": tip.note}
    form = TipUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_tip(
                tip,
                by=request.user,
                state=data["state"],
                assigned_to=data["assigned_to"],
                story=data["story"],
                note=data["note"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The tip was saved."))
            return redirect("journal:tip_list")
    return render(request, "journal/tip_detail.html", {"tip": tip, "form": form})


# --- Subscriptions ---------------------------------------------------------------------------------


def subscribe(request):
    """Open to everyone: double opt-in, nothing is sent but the confirmation mail until confirmed.

    Known or unknown, subscribed or not, every address gets the same page (services.request_subscription).
    """
    form = SubscribeForm(request.POST or None, follow=Coalition.objects.exists())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_subscription(
                email=data["email"],
                name=data["name"],
                journal=data["journal"],
                invitations=data["invitations"],
                coalitions=data["coalitions"],
                client=client_address(request),
            )
        except services.JournalError as error:
            form.refuse(str(error))
        else:
            return redirect("journal:subscribe_done")
    return render(request, "journal/subscribe.html", {"form": form})


def subscribe_done(request):
    return render(request, "journal/subscribe_done.html")


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """Open to whoever holds the signed link. GET asks, POST confirms: mail scanners only GET."""
    if request.method == "POST":
        try:
            subscriber = services.confirm_subscription(token)
        except services.JournalError as error:
            return render(request, "journal/link_invalid.html", {"message": str(error)}, status=400)
        return render(request, "journal/confirmed.html", {"subscriber": subscriber})
    return render(request, "journal/confirm.html")


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a CSRF token; the signed link is the proof.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Open to whoever holds the signed link, without logging in. GET shows a button, POST unsubscribes."""
    try:
        subscriber, kind = services.read_unsubscribe_token(token)
    except services.JournalError as error:
        return render(request, "journal/link_invalid.html", {"message": str(error)}, status=400)
    if request.method == "POST":
        services.unsubscribe(subscriber, kind=kind)
        return render(request, "journal/unsubscribed.html", {"subscriber": subscriber, "kind": kind})
    return render(request, "journal/unsubscribe.html", {"subscriber": subscriber, "kind": kind})


@permission_required("journal.manage_own_subscription")
def subscription(request):
    """Permission `journal.manage_own_subscription`: the logged-in person, for their own subscription only."""
    subscriber = Subscriber.objects.filter(user=request.user).first()
    initial = {
        "journal": subscriber.wants_journal if subscriber and subscriber.is_confirmed else False,
        "invitations": subscriber.wants_invitations if subscriber and subscriber.is_confirmed else False,
        **SubscriptionSettingsForm.follow_initial(services.followed_coalition_ids(subscriber)),
    }
    form = SubscriptionSettingsForm(request.POST or None, initial=initial, follow=Coalition.objects.exists())
    if request.method == "POST" and form.is_valid():
        services.set_member_subscription(
            request.user,
            journal=form.cleaned_data["journal"],
            invitations=form.cleaned_data["invitations"],
            coalitions=form.cleaned_data["coalitions"],
        )
        messages.success(request, _("Your choices were saved."))
        return redirect(reverse("journal:subscription"))
    return render(request, "journal/subscription.html", {"form": form, "now": timezone.now()})


@require_http_methods(["POST"])
def revoke_preview(request, pk):
    """Permission `journal.revoke_preview_link`: editorial team and coordinators."""
    link = get_object_or_refuse(request, "journal.revoke_preview_link", PreviewLink.objects.all(), pk=pk)
    services.revoke_preview_link(link, by=request.user)
    messages.success(request, _("The preview link was revoked."))
    return redirect("journal:desk")
