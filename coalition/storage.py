"""Storage for files only a permission-checking view may serve: outside MEDIA_ROOT, never a public URL."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

PDF_MAX_BYTES = 25 * 2**20

# What people share as documents (an event's materials, a group's documents, an announcement's attachment): office
# documents, PDF, images and plain text, never anything that runs.
DOCUMENT_EXTENSIONS = frozenset(
    {"pdf", "pptx", "ppt", "docx", "doc", "xlsx", "odp", "odt", "ods", "png", "jpg", "jpeg", "txt"}
)
DOCUMENT_MAX_BYTES = 25 * 2**20


@deconstructible(path="coalition.storage.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """A folder under PRIVATE_MEDIA_ROOT; read when used, so tests can point the setting elsewhere."""

    def __init__(self, folder):
        self.folder = folder
        super().__init__()

    @property
    def base_location(self):
        return Path(settings.PRIVATE_MEDIA_ROOT) / self.folder

    @property
    def location(self):
        return str(self.base_location.resolve())

    @property
    def base_url(self):
        return None


def validate_pdf(file: File, *, max_bytes: int | None = None) -> None:
    """A PDF document of at most `max_bytes` (PDF_MAX_BYTES): checked by size, by name and by its first bytes.

    A field validator (journal's magazines and the network's declarations both use it).
    """
    max_bytes = max_bytes or PDF_MAX_BYTES
    if file.size > max_bytes:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB is allowed."), params={"mb": max_bytes // 2**20}
        )
    if not file.name.lower().endswith(".pdf"):
        raise ValidationError(_("Only PDF files can be uploaded here."))
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(5)
    file.seek(position)
    if head != b"%PDF-":
        raise ValidationError(_("This file is not a PDF document."))


def validate_document(file: File, *, max_bytes: int | None = None) -> None:
    """A document of an allowed type (DOCUMENT_EXTENSIONS) of at most `max_bytes` (DOCUMENT_MAX_BYTES)."""
    max_bytes = max_bytes or DOCUMENT_MAX_BYTES
    extension = Path(file.name).suffix.lower().lstrip(".")
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationError(
            _("Allowed file types: %(types)s."), params={"types": ", ".join(sorted(DOCUMENT_EXTENSIONS))}
        )
    if file.size > max_bytes:
        raise ValidationError(_("The file is too large; the limit is %(mb)d MB."), params={"mb": max_bytes // 2**20})
