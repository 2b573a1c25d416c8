"""The certificate of attendance: its content, its PDF (ReportLab), its code and its signed link.

What a certificate says is decided once (`Certificate.of`), so the PDF, the verification page and the mail say the
same. The PDF is real text in Helvetica, one of the PDF standard fonts every reader has (nothing is fetched or
embedded; its Latin-1 encoding covers Dutch: ë, é, ï), with a title, author, subject and language in its metadata.
Issuing (giving the registration its code) is a write, so it is services.issue_certificate; this module only reads.
"""

import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from coalition.mail import absolute_url
from coalition.pdf import ACCENT, a4_document, paragraph_text

from .models import Event, Registration

# A salt of its own: a token of another link (an invitation answer, an unsubscribe) never opens a certificate.
CERTIFICATE_SALT = "events.certificate"
# Without 0/O and 1/I, so a code read off paper is typed right; 12 of 32 signs are 60 bits: not guessable.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """A code as typed ("abcd-efgh jklm") as stored ("ABCDEFGHJKLM"); "" when it cannot be one."""
    code = "".join(typed.split()).replace("-", "").upper()
    return code if len(code) == CODE_LENGTH and all(sign in CODE_ALPHABET for sign in code) else ""


def grouped(code: str) -> str:
    """The code as printed and typed: ABCD-EFGH-JKLM."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def verify_url(code: str) -> str:
    return absolute_url(reverse("events:certificate_verify", kwargs={"code": grouped(code)}))


# --- The signed link (mails, people without an account) ------------------------------------------------------


def signed_url(registration: Registration) -> str:
    """The registration's own certificate link: no login, no expiry. It works while the registration has a
    certificate (`Registration.has_certificate`) and is not anonymised, so un-checking someone in, cancelling
    the event or the retention period revokes it without a list of revoked tokens."""
    token = signing.dumps(registration.pk, salt=CERTIFICATE_SALT)
    return absolute_url(reverse("events:certificate_signed", kwargs={"token": token}))


def read_token(token: str) -> int | None:
    """The registration id of a genuine token, else None."""
    try:
        pk = signing.loads(token, salt=CERTIFICATE_SALT)
    except signing.BadSignature:
        return None
    return pk if isinstance(pk, int) else None


# --- What a certificate says --------------------------------------------------------------------------------


def duration_text(starts_at: datetime, ends_at: datetime) -> str:
    """'2 hours and 30 minutes', in the active language."""
    minutes_total = max(int((ends_at - starts_at).total_seconds() // 60), 0)
    hours, minutes = divmod(minutes_total, 60)
    hours_text = ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    minutes_text = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    if hours and minutes:
        return _("%(hours)s and %(minutes)s") % {"hours": hours_text, "minutes": minutes_text}
    return hours_text if hours else minutes_text


def points_text(points: Decimal | None) -> str:
    """2 → '2', 2.5 → '2,5' (Dutch) or '2.5'; '' for none."""
    if points is None:
        return ""
    if points == points.to_integral_value():
        return formats.number_format(int(points))
    return formats.number_format(points, decimal_pos=1)


def when_text(event: Event) -> str:
    """'6 december 2026, 14:00–16:00' (an event over more days: both dates)."""
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    if start.date() == end.date():
        return "{}, {}–{}".format(
            formats.date_format(start, "DATE_FORMAT"),
            formats.time_format(start, "TIME_FORMAT"),
            formats.time_format(end, "TIME_FORMAT"),
        )
    return "{} – {}".format(formats.date_format(start, "DATETIME_FORMAT"), formats.date_format(end, "DATETIME_FORMAT"))


def holder_name(registration: Registration) -> str:
    """The participant's name: the member's current name, else the name the registration holds (a guest, or a
    member whose account is gone but whose registration is not yet anonymised)."""
    profile = registration.profile
    return (profile.full_name if profile is not None else "") or registration.name


@dataclass(frozen=True)
class Certificate:
    """Everything a certificate (and its verification) says, as text in the active language."""

    name: str  # "" once the personal data is removed
    event_title: str
    event_kind: str
    when: str
    duration: str
    organiser: str
    co_host: str
    points: str
    registry: str
    code: str  # grouped: ABCD-EFGH-JKLM

    @classmethod
    def of(cls, registration: Registration) -> "Certificate":
        """`registration` with its event (and host, co-host, coalition) and an issued code."""
        event = registration.event
        host = event.host.name if event.host else (event.coalition.name if event.coalition else settings.SITE_NAME)
        return cls(
            name="" if registration.is_anonymised else holder_name(registration),
            event_title=event.title,
            event_kind=str(event.get_kind_display()),
            when=when_text(event),
            duration=duration_text(event.starts_at, event.ends_at),
            organiser=host,
            co_host=event.co_host.name if event.co_host else "",
            points=points_text(event.accreditation_points),
            registry=event.accreditation_registry,
            code=grouped(registration.certificate_code or ""),
        )


def filename(certificate: Certificate) -> str:
    return _("certificate-%(code)s.pdf") % {"code": certificate.code}


# --- The PDF ---------------------------------------------------------------------------------------------------


def _styles():
    base = {"fontName": "Helvetica", "fontSize": 11, "leading": 15}
    return {
        "site": ParagraphStyle("site", **{**base, "fontSize": 10, "textColor": ACCENT}, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", **{**base, "fontName": "Helvetica-Bold", "fontSize": 26, "leading": 32}, alignment=TA_CENTER
        ),
        "intro": ParagraphStyle("intro", **base, alignment=TA_CENTER),
        "name": ParagraphStyle(
            "name", **{**base, "fontName": "Helvetica-Bold", "fontSize": 20, "leading": 26}, alignment=TA_CENTER
        ),
        "event": ParagraphStyle(
            "event", **{**base, "fontName": "Helvetica-Bold", "fontSize": 15, "leading": 20}, alignment=TA_CENTER
        ),
        "label": ParagraphStyle("label", **{**base, "fontName": "Helvetica-Bold"}),
        "value": ParagraphStyle("value", **base),
        "small": ParagraphStyle("small", **{**base, "fontSize": 9, "leading": 12}),
    }


def render_pdf(certificate: Certificate, *, verify_link: str) -> bytes:
    """The A4 certificate, in the active language."""
    styles = _styles()
    buffer = io.BytesIO()
    title = _("Certificate of attendance: %(event)s") % {"event": certificate.event_title}
    document = a4_document(
        buffer,
        title=title,
        subject=_("%(name)s attended %(event)s") % {"name": certificate.name, "event": certificate.event_title},
        side=25 * mm,
        top=25 * mm,
        bottom=20 * mm,
    )
    rows = [
        (_("Date"), certificate.when),
        (_("Duration"), certificate.duration),
        (_("Kind"), certificate.event_kind),
        (_("Organiser"), certificate.organiser),
    ]
    if certificate.co_host:
        rows.append((_("Co-host"), certificate.co_host))
    if certificate.points:
        rows.append((_("Accreditation points"), certificate.points))
        if certificate.registry:
            rows.append((_("Registry"), certificate.registry))
    details = Table(
        [
            [Paragraph(paragraph_text(label), styles["label"]), Paragraph(paragraph_text(value), styles["value"])]
            for label, value in rows
        ],
        colWidths=[45 * mm, 115 * mm],
        hAlign="CENTER",
    )
    details.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    story = [
        Paragraph(paragraph_text(settings.SITE_NAME), styles["site"]),
        Spacer(1, 18 * mm),
        Paragraph(paragraph_text(_("Certificate of attendance")), styles["title"]),
        Spacer(1, 12 * mm),
        Paragraph(paragraph_text(_("This is to certify that")), styles["intro"]),
        Spacer(1, 5 * mm),
        Paragraph(paragraph_text(certificate.name), styles["name"]),
        Spacer(1, 5 * mm),
        Paragraph(paragraph_text(_("attended")), styles["intro"]),
        Spacer(1, 5 * mm),
        Paragraph(paragraph_text(certificate.event_title), styles["event"]),
        Spacer(1, 12 * mm),
        details,
        Spacer(1, 20 * mm),
        HRFlowable(width="100%", color=ACCENT, thickness=0.5),
        Spacer(1, 4 * mm),
        Paragraph(
            paragraph_text(
                _("Verification code: %(code)s. Check that this certificate is genuine at %(url)s")
                % {"code": certificate.code, "url": verify_link}
            ),
            styles["small"],
        ),
    ]
    document.build(story)
    return buffer.getvalue()
