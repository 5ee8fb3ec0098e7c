"""A red-flag run's data file: which source it is (chosen, or told by its name: .xlsx and
.csv are the platform's bids, .jsonl, .ndjson and .json OCDS compiled releases) and the
checks made before it is stored, on its size and first bytes (an .xlsx whole, as ledger
files are): the file is never held whole otherwise."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ducha.analyses.models import RedFlagRun
from ducha.imports.reading import FileRefused, check_file_chunks

Source = RedFlagRun.Source
OCDS_SUFFIXES = (".jsonl", ".ndjson", ".json")
PLATFORM_SUFFIXES = (".xlsx", ".csv")
_HEAD = 64 * 1024


def source_of(name: str, chosen: str = "") -> str:
    """The source chosen, else the one the name's suffix tells; FileRefused naming both kinds."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if chosen == Source.OCDS or (not chosen and suffix in OCDS_SUFFIXES):
        if suffix not in OCDS_SUFFIXES:
            raise FileRefused(_("File %(name)s: OCDS compiled releases are a .jsonl file (one JSON object a line)."),
                              {"name": name})  # fmt: skip
        return Source.OCDS
    if chosen == Source.PLATFORM or suffix in PLATFORM_SUFFIXES:
        return Source.PLATFORM
    raise FileRefused(
        _("File %(name)s: type %(suffix)s is not accepted; give the platform's bids as .xlsx or .csv, "
          "or OCDS compiled releases as .jsonl."),
        {"name": name, "suffix": suffix or "?"},
    )  # fmt: skip


def check_data_file(name: str, size: int, chunks: Callable[[], Iterable[bytes]], source: str) -> None:
    """FileRefused with the reason, before anything is stored."""
    if source == Source.PLATFORM:
        check_file_chunks(name, size, chunks)
        return
    if size > settings.IMPORT_MAX_BYTES:
        raise FileRefused(_("File %(name)s is larger than the limit of %(limit)s."),
                          {"name": name, "limit": filesizeformat(settings.IMPORT_MAX_BYTES)})  # fmt: skip
    head = b""
    for chunk in chunks():
        head += chunk
        if len(head) >= _HEAD:
            break
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") or b"\x00" in head[:_HEAD]:
        raise FileRefused(_("File %(name)s is not OCDS JSON Lines: its first line is not a JSON object."),
                          {"name": name})  # fmt: skip
