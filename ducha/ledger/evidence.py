"""Evidence files: checked (size, type, content), stored by checksum outside the database.

An upload is either bytes (imports, the demo, tests) or a file Django has already
streamed to disk (a web upload): either way it is read in chunks, and its size is
checked before any of it is read. The content must be what the extension says, beyond
the first bytes:

- .pdf: starts with ``%PDF-x.y``, ends with the ``%%EOF`` marker (in its last 1 KiB), and
  holds no web-page markup (``<html``, ``<script`` …) anywhere;
- .png: the signature and the IHDR header chunk; .jpg/.jpeg: the JPEG start marker;
- .doc/.xls: a compound-file (OLE2) header;
- .zip, .ofd, .docx, .xlsx: a zip archive that opens, whose every member unpacks to the
  size and checksum it declares, within EVIDENCE_ZIP_MAX_MEMBERS members,
  EVIDENCE_ZIP_MAX_UNPACKED_BYTES unpacked and EVIDENCE_ZIP_MAX_RATIO times its own
  size (zip bombs), unencrypted; an .ofd has its OFD.xml entry file (GB/T 33190); a
  .docx/.xlsx is an OOXML package: [Content_Types].xml declaring a Word document /
  Excel workbook (not a macro-enabled one) and its main part word/document.xml /
  xl/workbook.xml.
"""

import errno
import hashlib
import io
import mimetypes
import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

CHUNK = 256 * 1024  # files are read, hashed and copied this much at a time

# Leading bytes of each allowed type: a renamed .exe does not pass as a .pdf.
_MAGIC = {
    ".pdf": [b"%PDF-"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".docx": [b"PK\x03\x04"],
    ".xlsx": [b"PK\x03\x04"],
    ".zip": [b"PK\x03\x04"],
    ".ofd": [b"PK\x03\x04"],
    ".doc": [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],
    ".xls": [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"],
}
_ZIPPED = {".docx", ".xlsx", ".zip", ".ofd"}
# An OOXML package: the content type its [Content_Types].xml must declare, and its main part.
_OOXML = {
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/document.xml"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/workbook.xml"),
}
_OFD_ENTRY = "OFD.xml"
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_PDF_TAIL = 1024  # readers look for %%EOF within the last 1 KiB
# Markup that makes a file a web page; a PDF holds none of it outside compressed streams.
_MARKUP = (b"<html", b"<!doctype html", b"<script", b"<iframe", b"<body")
_CONTENT_TYPES_MAX = 1024 * 1024  # a [Content_Types].xml is a few KiB
_RATIO_GRACE = 1024 * 1024  # archives unpacking to less are too small to be bombs, whatever their ratio


@dataclass(frozen=True)
class EvidenceUpload:
    """A file to attach: the name the user gave it and its content, as bytes or as an
    open binary file (an upload Django streamed to disk; see `from_uploaded_file`)."""

    name: str
    content: bytes | None = None
    file: IO[bytes] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_uploaded_file(cls, uploaded: Any) -> "EvidenceUpload":
        """An uploaded file (django.core.files.uploadedfile), not read here."""
        return cls(uploaded.name, file=uploaded)

    @property
    def size(self) -> int:
        if self.content is not None:
            return len(self.content)
        if self.file is None:
            return 0
        size = getattr(self.file, "size", None)
        if size is None:
            size = self.file.seek(0, os.SEEK_END)
        return int(size)

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """The content as a seekable binary file, at its start (an uploaded file is left open)."""
        if self.content is not None or self.file is None:
            yield io.BytesIO(self.content or b"")
            return
        self.file.seek(0)
        yield self.file


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    content_type: str
    size: int
    sha256: str


# The messages are lazy and take params: they are put together, in the language active
# then, when shown (ValidationError applies the params).
_lazy_filesize = lazy(filesizeformat, str)


def _refuse(message, upload: EvidenceUpload, suffix: str, **params) -> ValidationError:
    return ValidationError(message, params={"name": upload.name, "suffix": suffix, **params})


def check_upload(upload: EvidenceUpload) -> None:
    """Refuse, with a message naming the file and the reason, anything but a real file of
    an allowed type within the limits. The size is checked before anything is read."""
    suffix = Path(upload.name).suffix.lower()
    allowed = settings.EVIDENCE_ALLOWED_EXTENSIONS
    if suffix not in allowed:
        raise ValidationError(
            _("File %(name)s: type %(suffix)s is not allowed (allowed: %(allowed)s)."),
            params={"name": upload.name, "suffix": suffix or "?", "allowed": " ".join(sorted(allowed))},
        )
    size = upload.size
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("File %(name)s is larger than the limit of %(limit)s."),
            params={"name": upload.name, "limit": _lazy_filesize(settings.EVIDENCE_MAX_BYTES)},
        )
    if not size:
        raise ValidationError(_("File %(name)s is empty."), params={"name": upload.name})
    with upload.open() as file:
        head = file.read(1024)
        if not any(head.startswith(m) for m in _MAGIC.get(suffix, [b""])):
            raise _refuse(_("File %(name)s is not a real %(suffix)s file."), upload, suffix)
        if suffix == ".pdf":
            _check_pdf(upload, file, head, size)
        elif suffix == ".png" and head[12:16] != b"IHDR":
            raise _refuse(
                _("File %(name)s is not a real %(suffix)s file: it is damaged or incomplete."), upload, suffix
            )
        elif suffix in (".doc", ".xls"):
            _check_compound_file(upload, suffix, head, size)
        elif suffix in _ZIPPED:
            _check_zip(upload, suffix, file, size)


def _check_pdf(upload: EvidenceUpload, file: IO[bytes], head: bytes, size: int) -> None:
    if not _PDF_HEADER.match(head):
        raise _refuse(_("File %(name)s is not a real %(suffix)s file."), upload, ".pdf")
    file.seek(max(0, size - _PDF_TAIL))
    if b"%%EOF" not in file.read(_PDF_TAIL):
        raise _refuse(_("File %(name)s is not a real %(suffix)s file: it is damaged or incomplete."), upload, ".pdf")
    file.seek(0)
    overlap = max(len(m) for m in _MARKUP) - 1
    carry = b""
    while chunk := file.read(CHUNK):
        window = (carry + chunk).lower()
        if any(m in window for m in _MARKUP):
            raise _refuse(_("File %(name)s is not a real %(suffix)s file: it contains web page code."), upload, ".pdf")
        carry = window[-overlap:]


def _check_compound_file(upload: EvidenceUpload, suffix: str, head: bytes, size: int) -> None:
    """The 512-byte header of an OLE2 compound file: byte order mark, version 3 with
    512-byte sectors or version 4 with 4096-byte sectors."""
    major, byte_order, sector_shift = (int.from_bytes(head[i : i + 2], "little") for i in (26, 28, 30))
    if size < 512 or byte_order != 0xFFFE or (major, sector_shift) not in {(3, 9), (4, 12)}:
        raise _refuse(_("File %(name)s is not a real %(suffix)s file: it is damaged or incomplete."), upload, suffix)


def _check_zip(upload: EvidenceUpload, suffix: str, file: IO[bytes], size: int) -> None:
    damaged = _("File %(name)s is not a real %(suffix)s file: it is damaged or incomplete.")
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            _check_bomb(upload, suffix, members, size)
            if any(m.flag_bits & 0x1 for m in members):
                raise _refuse(
                    _("File %(name)s is encrypted and cannot be checked; upload it without a password."),
                    upload,
                    suffix,
                )
            names = {m.filename for m in members}
            if suffix == ".ofd" and _OFD_ENTRY not in names:
                raise _refuse(
                    _("File %(name)s is not a real %(suffix)s file: the part %(part)s is missing."),
                    upload,
                    suffix,
                    part=_OFD_ENTRY,
                )
            if suffix in _OOXML:
                _check_ooxml(upload, suffix, archive, names)
            # Every member unpacks to the size and checksum it declares (zipfile stops at
            # the declared size and checks the CRC at the end): read in chunks, kept nowhere.
            for member in members:
                if not member.is_dir():
                    with archive.open(member) as data:
                        while data.read(CHUNK):
                            pass
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, NotImplementedError, EOFError,
            OSError, ValueError):  # fmt: skip
        raise _refuse(damaged, upload, suffix) from None


def _check_bomb(upload: EvidenceUpload, suffix: str, members: list[zipfile.ZipInfo], size: int) -> None:
    if len(members) > settings.EVIDENCE_ZIP_MAX_MEMBERS:
        raise _refuse(
            _("File %(name)s holds too many files (%(count)s; the limit is %(limit)s)."),
            upload,
            suffix,
            count=len(members),
            limit=settings.EVIDENCE_ZIP_MAX_MEMBERS,
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > settings.EVIDENCE_ZIP_MAX_UNPACKED_BYTES:
        raise _refuse(
            _("File %(name)s is refused as a zip bomb: it unpacks to %(unpacked)s (the limit is %(limit)s)."),
            upload,
            suffix,
            unpacked=_lazy_filesize(unpacked),
            limit=_lazy_filesize(settings.EVIDENCE_ZIP_MAX_UNPACKED_BYTES),
        )
    ratio = unpacked / max(size, 1)
    if unpacked > _RATIO_GRACE and ratio > settings.EVIDENCE_ZIP_MAX_RATIO:
        raise _refuse(
            _(
                "File %(name)s is refused as a zip bomb: it unpacks to %(ratio)s times its size "
                "(the limit is %(limit)s times)."
            ),
            upload,
            suffix,
            ratio=int(ratio),
            limit=settings.EVIDENCE_ZIP_MAX_RATIO,
        )


def _check_ooxml(upload: EvidenceUpload, suffix: str, archive: zipfile.ZipFile, names: set[str]) -> None:
    content_type, main_part = _OOXML[suffix]
    for part in ("[Content_Types].xml", main_part):
        if part not in names:
            raise _refuse(
                _("File %(name)s is not a real %(suffix)s file: the part %(part)s is missing."),
                upload,
                suffix,
                part=part,
            )
    info = archive.getinfo("[Content_Types].xml")
    declared = archive.read(info) if info.file_size <= _CONTENT_TYPES_MAX else b""
    if content_type.encode() not in declared:
        # e.g. a macro-enabled .docm or .xlsm renamed, or a template
        raise _refuse(
            _("File %(name)s is not a real %(suffix)s file: it declares another kind of document."), upload, suffix
        )


# The evidence disk is full (or the user's quota, or the file-size limit, is reached).
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


@contextmanager
def _refused_when_full(upload: EvidenceUpload) -> Iterator[None]:
    """No space for the file: a ValidationError, which rolls the action's transaction back
    (no Evidence row, no step, no change-log row without its file) and tells the user why,
    at the files; not a server error."""
    try:
        yield
    except OSError as error:
        if error.errno not in NO_SPACE:
            raise
        raise ValidationError(
            _("There is no space left to store %(name)s: nothing was saved. Ask the administrator to free space."),
            params={"name": upload.name},
            code="no_space",
        ) from error


def evidence_path(sha256: str) -> Path:
    return Path(settings.EVIDENCE_ROOT) / sha256[:2] / sha256


def _private_dir(path: Path) -> None:
    """Create the folder, if missing, readable by Ducha's user only (0700)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def store_upload(upload: EvidenceUpload, *, checked: bool = False) -> StoredFile:
    """Check and write the content (idempotent: same content, same file). The file is
    copied and hashed in chunks into a temporary file created 0600, then renamed into
    place; folders are created 0700. A full disk refuses the file (ValidationError).
    `checked`: the caller has just run check_upload on this upload (the actions check
    every file before they write any; a large workbook's check is not cheap)."""
    if not checked:
        check_upload(upload)
    root = Path(settings.EVIDENCE_ROOT)
    with _refused_when_full(upload):
        _private_dir(root)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".upload-", suffix=".part")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as out, upload.open() as source:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            sha256 = digest.hexdigest()
            path = evidence_path(sha256)
            _private_dir(path.parent)
            if path.exists():
                os.unlink(tmp)
            else:
                os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)  # no half file left behind
            raise
    content_type = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
    return StoredFile(upload.name, content_type, size, sha256)
