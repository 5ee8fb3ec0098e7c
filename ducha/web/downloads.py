"""A stored file (evidence, a work plan's document) sent to a user who may see its record."""

from django.db import models
from django.http import FileResponse, Http404

from ducha.core.access import restrict
from ducha.ledger.evidence import evidence_path


def stored_file_download(request, model: type[models.Model], pk: int) -> FileResponse:
    """The file of the record `pk` (a StoredFileRecord); a record outside the user's scope,
    or a file gone from disk, is not found."""
    try:
        record = restrict(model._default_manager.all(), request.user).get(pk=pk)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise Http404 from None
    file = evidence_path(record.sha256)  # type: ignore[attr-defined]
    if not file.exists():
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=record.original_name)  # type: ignore[attr-defined]
