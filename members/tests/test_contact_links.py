"""An offering's contact line: phone numbers and addresses become tel: and mailto: links, the rest stays text."""

import pytest

from members.templatetags.contact_links import contact_links


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "0113 123 456 of info@example.nl",
            '<a class="contact-link" href="tel:0113123456">0113 123 456</a> of '
            '<a class="contact-link" href="mailto:info@example.nl">info@example.nl</a>',
        ),
        (
            "Bel +31 (0)20-555 1234",
            'Bel <a class="contact-link" href="tel:+31205551234">+31 (0)20-555 1234</a>',
        ),
        ("06-12345678", '<a class="contact-link" href="tel:0612345678">06-12345678</a>'),
    ],
)
def test_numbers_and_addresses_become_links(text, expected):
    assert contact_links(text) == expected


@pytest.mark.parametrize("text", ["ma–vr 9:00–17:00", "4461 AB Goes, sinds 2026", "0800-1234", ""])
def test_hours_postcodes_years_and_short_numbers_stay_text(text):
    assert "<a" not in contact_links(text)


def test_everything_else_is_escaped():
    assert contact_links('<script>x</script> 06-12345678 "').startswith("&lt;script&gt;x&lt;/script&gt; <a")
    assert contact_links('"<b>"').endswith("&quot;&lt;b&gt;&quot;")
