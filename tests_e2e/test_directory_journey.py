"""A member finds a colleague: searches by discipline and municipality, opens the profile, saves the vCard."""

import re
from pathlib import Path

import pytest

from members import services
from members.models import Discipline, Municipality, Organisation, Profile, Visibility

HIDDEN_PHONE = "06-98765432"
TEAM_PHONE = "038-4217000"


@pytest.fixture
def directory(make_user):
    zwolle = Municipality.objects.create(name="Zwolle", slug="zwolle")
    kampen = Municipality.objects.create(name="Kampen", slug="kampen")
    practice = Organisation.objects.create(
        name="Verloskundigenpraktijk De Linde", slug="de-linde", discipline=Discipline.MIDWIFERY, phone="038-4200000"
    )
    practice.municipalities.add(zwolle)

    def colleague(email, first_name, discipline, municipality, **profile):
        user = make_user(email, first_name=first_name, last_name="Bos", discipline=discipline, **profile)
        user.profile.municipalities.add(municipality)
        return user

    anna = colleague(
        "anna@delinde.example",
        "Anna",
        Discipline.MIDWIFERY,
        zwolle,
        job_title="Verloskundige",
        organisation=practice,
        direct_phone=HIDDEN_PHONE,
        phone_visibility=Visibility.COORDINATORS,
        team_phone=TEAM_PHONE,
    )
    colleague("bram@kampen.example", "Bram", Discipline.MIDWIFERY, kampen)
    colleague("carla@wijkteam.example", "Carla", Discipline.SOCIAL_WORK, zwolle)
    services.reindex_profiles(Profile.objects.all())
    member = make_user("member@example.org", role="Member", first_name="Mila")
    return {"anna": anna, "member": member}


def test_member_searches_discipline_in_municipality_opens_profile_and_downloads_vcard(portal, directory):
    page = portal.visitor()
    portal.log_in(page, "member@example.org")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Directory").click()
    page.wait_for_url("**/members/")
    portal.check(page, "directory")

    search = page.get_by_role("search")
    search.get_by_label("Discipline").select_option(label="Midwifery")
    search.get_by_label("Municipality").select_option(label="Zwolle")
    search.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/members/\?.*municipality="))
    results = page.locator(".directory h2")
    assert results.all_inner_texts() == ["Anna Bos"]
    assert "1 person found" in page.get_by_role("main").inner_text()
    portal.check(page, "directory-search")
    assert HIDDEN_PHONE not in page.content()

    page.get_by_role("link", name="Anna Bos").click()
    page.wait_for_url(f"**/members/{directory['anna'].profile.pk}/")
    portal.check(page, "profile")
    main = page.get_by_role("main").inner_text()
    assert TEAM_PHONE in main
    assert HIDDEN_PHONE not in page.content()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("vCard")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".vcf")
    card = Path(download.path()).read_text(encoding="utf-8")
    assert card.startswith("BEGIN:VCARD")
    assert "FN:Anna Bos" in card
    assert TEAM_PHONE.replace("-", "") in card.replace("-", "")
    assert "Verloskundigenpraktijk De Linde" in card
    assert HIDDEN_PHONE not in card and HIDDEN_PHONE.replace("-", "") not in card

    # Nowhere else either: the home page's newest members, the unfiltered directory.
    for path in ("/", "/members/", "/organisations/de-linde/"):
        page.goto(path)
        assert HIDDEN_PHONE not in page.content(), path


def test_pending_member_sees_nothing_of_the_directory(portal, make_user, directory):
    make_user("pending@example.org", status="pending")
    page = portal.visitor()
    portal.log_in(page, "pending@example.org")
    portal.goto_refused(page, f"/members/{directory['anna'].profile.pk}/", 403)
    assert "Anna" not in page.get_by_role("main").inner_text()
    portal.check(page, "directory-refused")
