"""Storage for files only a permission-checking view may serve: outside MEDIA_ROOT, never a public URL."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


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
