"""The development mail backend: each mail on the console as a person reads it, attachments as name and size.

Django's console backend prints the raw MIME message: the text part quoted-printable (`co=C3=B6rdinator`),
the HTML part in full and every calendar file in full, some 40 lines each. This one
prints the headers and the text part decoded, and one line per HTML part and attachment.
"""

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

# Headers about the MIME structure, which the lines below already say in words.
STRUCTURE_HEADERS = {"mime-version", "content-type", "content-transfer-encoding", "content-disposition"}


def describe(message: EmailMessage) -> str:
    """The readable form of one django.core.mail.EmailMessage."""
    mime = message.message()
    lines = [f"{name}: {value}" for name, value in mime.items() if name.lower() not in STRUCTURE_HEADERS]
    for part in mime.walk():
        if part.is_multipart():
            continue
        size = len(part.get_payload(decode=True) or b"")
        if part.is_attachment():
            lines.append(f"[attachment: {part.get_filename()} ({part.get_content_type()}, {size:,} bytes)]")
        elif part.get_content_type() == "text/plain":
            lines += ["", part.get_content().rstrip(), ""]
        else:
            lines.append(f"[{part.get_content_type()} part, {size:,} bytes]")
    return "\n".join(lines)


class EmailBackend(DjangoConsoleBackend):
    """Like Django's console backend (same stream, same lock), but readable; set when EMAIL_URL is unset."""

    def write_message(self, message):
        self.stream.write(describe(message) + "\n")
        self.stream.write("-" * 79 + "\n")
