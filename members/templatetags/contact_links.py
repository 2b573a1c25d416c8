"""{{ text|contact_links }}: the phone numbers and e-mail addresses in a free-text contact line become tappable links.

An offering's contact is one line an organisation writes for the public ("0113 123 456 of info@example.nl"); on a
phone a number to copy by hand is a number not called. Everything else in the text stays plain, escaped text.
"""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# An address, or a Dutch or international number: a leading 0 or +, then digits with the usual separators, 10 to
# 15 digits in all (so a year, a postcode or an opening hour is never taken for a number).
CONTACT = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<phone>(?<![\w+])(?:\+|00|0)[\d][\d ()./-]{7,}\d)"
)


def _tel(number):
    """The number as a tel: link dials it: digits only, "+31 (0)20" without the (0) a caller leaves out abroad."""
    digits = re.sub(r"\D", "", number.replace("(0)", ""))
    return f"+{digits}" if number.startswith("+") else digits


@register.filter(is_safe=True)
def contact_links(text):
    parts = []
    position = 0
    for match in CONTACT.finditer(text or ""):
        if match["phone"] and not 10 <= len(re.sub(r"\D", "", match["phone"])) <= 15:
            continue
        parts.append(escape(text[position : match.start()]))
        if match["email"]:
            parts.append(format_html('<a class="contact-link" href="mailto:{}">{}</a>', match["email"], match["email"]))
        else:
            parts.append(
                format_html('<a class="contact-link" href="tel:{}">{}</a>', _tel(match["phone"]), match["phone"])
            )
        position = match.end()
    parts.append(escape((text or "")[position:]))
    return mark_safe("".join(parts))  # every piece is escaped or built by format_html
