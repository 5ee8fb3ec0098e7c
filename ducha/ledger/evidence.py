"""Evidence files: checked (size, type), stored by checksum outside the database."""

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

# Leading bytes of each allowed type: a renamed .exe does not pass as a .pdf.
_MAGIC = {
    ".pdf": [b"%PDF"],
    ".png": [b"\x89PNG"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".docx": [b"PK\x03\x04"],
    ".xlsx": [b"PK\x03\x04"],
    ".zip": [b"PK\x03\x04"],
    ".ofd": [b"PK\x03\x04"],
    ".doc": [b"\xd0\xcf\x11\xe0"],
    ".xls": [b"\xd0\xcf\x11\xe0"],
}


@dataclass(frozen=True)
class EvidenceUpload:
    """A file to attach: the name the user gave it and its bytes."""

    name: str
    content: bytes


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    content_type: str
    size: int
    sha256: str


# The messages are lazy and take params: they are put together, in the language active
# then, when shown (ValidationError applies the params).
_lazy_filesize = lazy(filesizeformat, str)


def check_upload(upload: EvidenceUpload) -> None:
    suffix = Path(upload.name).suffix.lower()
    allowed = settings.EVIDENCE_ALLOWED_EXTENSIONS
    if suffix not in allowed:
        raise ValidationError(
            _("File %(name)s: type %(suffix)s is not allowed (allowed: %(allowed)s)."),
            params={"name": upload.name, "suffix": suffix or "?", "allowed": " ".join(sorted(allowed))},
        )
    if len(upload.content) > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("File %(name)s is larger than the limit of %(limit)s."),
            params={"name": upload.name, "limit": _lazy_filesize(settings.EVIDENCE_MAX_BYTES)},
        )
    if not upload.content:
        raise ValidationError(_("File %(name)s is empty."), params={"name": upload.name})
    if not any(upload.content.startswith(m) for m in _MAGIC.get(suffix, [b""])):
        raise ValidationError(
            _("File %(name)s is not a real %(suffix)s file."), params={"name": upload.name, "suffix": suffix}
        )


def evidence_path(sha256: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / sha256[:2] / sha256


def store_upload(upload: EvidenceUpload) -> StoredFile:
    """Check and write the bytes (idempotent: same content, same file)."""
    check_upload(upload)
    digest = hashlib.sha256(upload.content).hexdigest()
    path = evidence_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(upload.content)
        tmp.replace(path)
    content_type = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
    return StoredFile(upload.name, content_type, len(upload.content), digest)
