"""Evidence files through the API: a problem's files listed, sent (multipart) where the
page takes them (a step the user may take now asks for evidence; the step then names
them by id), checked by ducha/ledger/evidence.py through `do_attach_evidence`, and one
file downloaded as the page does (`stored_file_download`: its problem must be visible)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.errors import ValidationError as RequestValidationError

from ducha.api import records
from ducha.api.errors import ERRORS, ApiError
from ducha.api.pages import file_response
from ducha.core.access import restrict
from ducha.core.registry import ledger
from ducha.ledger.actions import do_attach_evidence, may_attach_evidence
from ducha.ledger.evidence import EvidenceUpload
from ducha.ledger.models import Evidence
from ducha.web.downloads import stored_file_download
from ducha.web.generic import get_visible

TAGS = ["evidence"]

_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}},
                "required": ["files"],
            }
        }
    },
}


def router() -> Router:
    r = Router(tags=TAGS)
    evidence_item = records.model_item_schema(Evidence)
    evidence_list = list[evidence_item]  # type: ignore[valid-type]

    @r.get("/problems/{pk}/evidence/", response={200: evidence_list, **ERRORS}, operation_id="list_evidence")
    def list_evidence(request, pk: int):
        problem = get_visible(ledger("problems"), request, pk)
        files = restrict(Evidence.objects.filter(problem=problem), request.user).select_related("problem")
        return [records.item(e) for e in files.order_by("uploaded_at", "pk")]

    @r.post(
        "/problems/{pk}/evidence/",
        response={201: evidence_list, **ERRORS},
        operation_id="upload_evidence",
        openapi_extra={"requestBody": _UPLOAD_BODY},
    )
    def upload_evidence(request, pk: int):
        """Send one or more files (field `files`) onto the problem; the step that asks for
        them names their ids (`evidence`). A refused file is 422 naming it and the reason,
        and none of the files is kept."""
        problem = get_visible(ledger("problems"), request, pk)
        if not may_attach_evidence(problem, request.user):
            raise ApiError(403, _("Evidence is sent with a step that asks for it; you may take no such step now."))
        # The body is read only now, by the route itself (as the page's check_before_upload).
        files = request.FILES.getlist("files") if request.content_type == "multipart/form-data" else []
        if not files:
            raise RequestValidationError([{"loc": ("files",), "msg": "Field required", "type": "missing"}])
        uploads = [EvidenceUpload.from_uploaded_file(f) for f in files]
        try:
            stored = do_attach_evidence(problem, actor=request.user, uploads=uploads)
        except ValidationError as refusal:
            raise ApiError(422, " ".join(refusal.messages), {"files": refusal.messages}) from None
        return Status(201, [records.item(e) for e in stored])

    @r.get(
        "/evidence/{pk}/",
        response={200: None, **ERRORS},
        operation_id="download_evidence",
        # The file itself, of whatever type it was stored as (schemathesis checks the declared type).
        openapi_extra=file_response("*/*", "The file, as an attachment under its original name."),
    )
    def download_evidence(request, pk: int):
        """The file, if the user may see its problem (else 404, as on the page)."""
        return stored_file_download(request, Evidence, pk)

    return r
