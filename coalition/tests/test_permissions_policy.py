"""Every response tells the browser which features the portal uses: none but the film player's."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from coalition.middleware import PermissionsPolicyMiddleware, permissions_policy

pytestmark = pytest.mark.django_db


def directives(response):
    return dict(part.split("=", 1) for part in response["Permissions-Policy"].split(", "))


@pytest.mark.parametrize("name", ["home", "journal:edition_list", "account_login"])
def test_pages_deny_camera_microphone_geolocation_payment_and_usb(client, name):
    policy = directives(client.get(reverse(name)))
    for feature in ["camera", "microphone", "geolocation", "payment", "usb", "display-capture", "serial"]:
        assert policy[feature] == "()", feature


def test_only_the_film_hosts_get_autoplay_and_fullscreen(client):
    policy = directives(client.get(reverse("home")))
    films = 'self "https://www.youtube-nocookie.com" "https://player.vimeo.com"'
    assert policy["autoplay"] == policy["fullscreen"] == policy["picture-in-picture"] == f"({films})"


def test_the_header_is_on_missing_pages_and_refusals_too(client, member_client):
    assert "camera=()" in client.get("/no-such-page/")["Permissions-Policy"]
    refused = member_client.get(reverse("members:pending"))
    assert refused.status_code == 403
    assert "camera=()" in refused["Permissions-Policy"]


def test_a_view_that_sets_its_own_policy_keeps_it():
    def view(request):
        response = HttpResponse()
        response["Permissions-Policy"] = "camera=(self)"
        return response

    response = PermissionsPolicyMiddleware(view)(RequestFactory().get("/"))
    assert response["Permissions-Policy"] == "camera=(self)"


def test_the_header_is_written_as_a_structured_field():
    header = permissions_policy({"camera": [], "fullscreen": ["self", "https://player.vimeo.com"]})
    assert header == 'camera=(), fullscreen=(self "https://player.vimeo.com")'
