"""Every admin page of the demo data opens: each changelist, add page and change page, as a coordinator, and as
a member of the editorial team wherever the rules let an editor in (refused everywhere else).

Private files (event materials, magazine PDFs) have no public URL: their change pages show them as links to
the views that check permission. They used to take the whole change page down with a 500 ("This file is not
accessible via a URL"), so one uploaded material locked its event out of the admin.
"""

import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db.models.fields.files import FieldFile
from django.forms import MultiWidget
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from coalition.mail import Recipient, queue_mailing
from events.models import Event, Material
from journal import services as journal_services
from journal.models import EditorialMembership, Story
from members.models import Profile, User
from network.models import Coalition
from signals.models import Signal, SignalCard

pytestmark = pytest.mark.django_db

# Change pages walked per model: every object when there are fewer, else a spread over the table.
SAMPLE = 25
# What the editorial team may do per model in the admin; every other model answers 403.
EDITOR_MAY = {
    "journal.edition": "view",
    "journal.story": "change",
    "journal.tip": "change",
    "journal.previewlink": "view",
    "members.profile": "view",
    "members.organisation": "view",
}
# The account tables (logins, their e-mail addresses, groups, second factors) are the superuser's.
ONLY_SUPERUSERS = frozenset({"auth.group", "account.emailaddress", "mfa.authenticator", "members.user"})
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def unchanged_post_data(response):
    """What a browser posts back from an admin change page nobody touched: the form and every inline's forms."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.extend([inline.formset.management_form, *inline.formset.forms])
    for form in forms:
        for name, field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            if isinstance(field.widget, MultiWidget):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = "" if part is None else str(part)
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, FieldFile):
                continue  # a stored file is not posted back
            else:
                value = field.prepare_value(value)
                data[key] = "" if value is None else value
    return data


def upload_material(client, event, *, title="Slides", filename="slides.pdf"):
    """Add a material to an event the way a coordinator does: in the event's change page, then Save."""
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = unchanged_post_data(response)
    formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is Material)
    row = formset.total_form_count() - 1  # the empty extra row
    data[f"{formset.prefix}-{row}-title"] = title
    data[f"{formset.prefix}-{row}-file"] = SimpleUploadedFile(filename, PDF, content_type="application/pdf")
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    return event.materials.get(title=title)


@pytest.fixture
def demo(client):
    """The demo data, plus what it leaves empty: a material uploaded in the admin, a preview link, a mailing."""
    call_command("seed_demo", stdout=io.StringIO())
    coordinator = User.objects.get(email="coordinator@example.org")
    client.force_login(coordinator)
    upload_material(client, Event.objects.past().order_by("starts_at").last())
    journal_services.create_preview_link(Story.objects.exclude(attachment="").first(), by=coordinator)
    queue_mailing(template="journal/confirm", recipients=[Recipient(email="a@example.org")], draft=True)
    client.logout()
    return coordinator


@pytest.fixture
def demo_editor(demo):
    """A member of the demo's editorial team: staff, in the Editorial team group, no coordinator."""
    membership = EditorialMembership.objects.current().select_related("user").first()
    user = membership.user
    assert user.is_staff and user.groups.filter(name="Editorial team").exists()
    assert not user.groups.filter(name="Coordinator").exists() and not user.is_superuser
    return user


def _registry():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _sample(queryset):
    objects = list(queryset.order_by("pk"))
    if len(objects) <= SAMPLE:
        return objects
    step = len(objects) / SAMPLE
    return [objects[int(i * step)] for i in range(SAMPLE)]


def _private_file_objects():
    """Every object whose change page shows a private file, with the address of the view that serves it."""
    for story in Story.objects.exclude(attachment="").select_related("edition"):
        yield story, story.get_attachment_url()
    for material in Material.objects.select_related("event"):
        yield material.event, material.get_absolute_url()


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _assert_changelist(client, model, model_admin, user, expected_count):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 200, url
    cl = response.context["cl"]
    assert cl.result_count == expected_count, url
    html = response.content.decode()
    name = model._meta.verbose_name if expected_count == 1 else model._meta.verbose_name_plural
    assert f"{expected_count} {escape(name)}" in html, url
    if model_admin.get_list_display_links(_admin_request(user), cl.list_display):
        for obj in cl.result_list:
            assert reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]) in html


def _assert_change_page(client, obj, *, may_change):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.context["original"].pk == obj.pk
    html = response.content.decode()
    assert f"<h2>{escape(str(obj))}</h2>" in html, url
    assert ('name="_save"' in html) is may_change, url
    return html


def _models_on_index(client):
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    return {
        f"{app['app_label']}.{model['object_name'].lower()}"
        for app in index.context["app_list"]
        for model in app["models"]
    }


def _walk(client, user, *, refused=frozenset(), visible=lambda model: model._default_manager.all()):
    """Open every changelist, add page and change page as `user`; the models in `refused` must answer 403.

    `visible(model)` is the rows `user` may see; the change page of any other row must not open.
    """
    client.force_login(user)
    request = _admin_request(user)
    assert _models_on_index(client) == {model._meta.label_lower for model in admin.site._registry} - refused
    walked = 0
    for model, model_admin in _registry():
        opts = model._meta
        if opts.label_lower in refused:
            _assert_refused(client, model)
            continue
        rows = visible(model)
        _assert_changelist(client, model, model_admin, user, rows.count())
        add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        if model_admin.has_add_permission(request):
            assert add.status_code == 200 and add.context["adminform"].form, opts.label
        else:
            assert add.status_code == 403, opts.label
        for obj in _sample(model._default_manager.all()):
            if rows.filter(pk=obj.pk).exists():
                _assert_change_page(client, obj, may_change=model_admin.has_change_permission(request, obj))
                walked += 1
            else:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
                assert client.get(url).status_code in (302, 403, 404), url
    return walked


def _assert_refused(client, model):
    opts = model._meta
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")).status_code == 403, opts.label
    obj = model._default_manager.first()
    if obj is not None:
        change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        assert change.status_code == 403, opts.label


def test_coordinator_opens_every_changelist_add_page_and_change_page_but_the_accounts(client, demo):
    assert _walk(client, demo, refused=ONLY_SUPERUSERS) > 200


def test_superuser_opens_every_changelist_add_page_and_change_page(client, demo):
    superuser = User.objects.create_superuser(email="root@example.org", password="not-used-here")
    assert _walk(client, superuser) > 250


def test_editor_opens_what_the_editorial_team_may_and_is_refused_the_rest(client, demo_editor):
    request = _admin_request(demo_editor)
    for label, may in EDITOR_MAY.items():
        model_admin = admin.site._registry[apps.get_model(label)]
        assert model_admin.has_view_permission(request), label
        assert model_admin.has_change_permission(request) is (may == "change"), label

    def visible(model):
        # People as an approved member sees them in the directory; everything else the editor may open, whole.
        return Profile.objects.visible_to(demo_editor) if model is Profile else model._default_manager.all()

    refused = {model._meta.label_lower for model in admin.site._registry} - set(EDITOR_MAY)
    assert _walk(client, demo_editor, refused=refused, visible=visible) > 50


def test_private_files_show_as_links_to_the_view_that_checks_permission(client, demo):
    client.force_login(demo)
    seen = 0
    for obj, download_url in _private_file_objects():
        html = _assert_change_page(client, obj, may_change=True)
        assert f'href="{download_url}"' in html
        download = client.get(download_url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content).startswith(b"%PDF")
        seen += 1
    assert seen >= 4  # three seeded magazines and the uploaded material


def test_an_event_with_a_material_opens_and_saves_again_and_takes_a_second_material(client, demo):
    event = Material.objects.get().event
    client.force_login(demo)
    html = _assert_change_page(client, event, may_change=True)
    assert "slides.pdf" in html
    second = upload_material(client, event, title="Hand-out", filename="hand-out.pdf")
    html = _assert_change_page(client, event, may_change=True)
    assert f'href="{second.get_absolute_url()}"' in html
    assert list(event.materials.values_list("title", flat=True)) == ["Slides", "Hand-out"]


def test_editor_opens_every_story_with_a_magazine_and_reads_the_magazine(client, demo_editor):
    client.force_login(demo_editor)
    stories = Story.objects.exclude(attachment="").select_related("edition")
    assert stories.count() >= 3
    for story in stories:
        html = _assert_change_page(client, story, may_change=True)
        assert f'href="{story.get_attachment_url()}"' in html
        assert client.get(story.get_attachment_url()).status_code == 200


def test_coalition_coordinator_opens_their_own_coalitions_pages_and_is_refused_the_rest(client, demo):
    coordinator = User.objects.get(email="coalition@example.org")
    own = Coalition.objects.managed_by(coordinator)
    assert list(own.values_list("slug", flat=True)) == ["borsele"]
    paths = {
        "network.coalition": "pk",
        "network.declaration": "coalition",
        "network.joinrequest": "coalition",
        "groups.group": "coalition",
        "groups.membership": "group__coalition",
        "groups.action": "group__coalition",
        "groups.document": "group__coalition",
    }

    def visible(model):
        if model is Signal:  # the region's signals, read-only: a coalition coordinator picks one for a card
            return Signal.objects.all()
        if model is SignalCard:  # the cards of the coalition and of its municipalities
            return SignalCard.objects.managed_by(coordinator)
        return model._default_manager.filter(**{f"{paths[model._meta.label_lower]}__in": own})

    shown_otherwise = {"signals.signal", "signals.signalcard"}
    refused = {model._meta.label_lower for model in admin.site._registry} - set(paths) - shown_otherwise
    assert _walk(client, coordinator, refused=refused, visible=visible) >= 3
