"""Work plans' documents: files stored like evidence (checked, kept by checksum), each
described by a WorkPlanDocument row written with its change-log row."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ducha.core.access import Action, Actor, ensure_allowed
from ducha.core.actions import do_bulk_create_objects
from ducha.ledger.evidence import EvidenceUpload, check_upload, store_upload
from ducha.supervision.models import WorkPlan, WorkPlanDocument


def do_attach_work_plan_documents(
    work_plan: WorkPlan, *, actor: Actor, uploads: Sequence[EvidenceUpload]
) -> list[WorkPlanDocument]:
    if not uploads:
        raise ValidationError({"documents": _("Choose at least one file.")})
    ensure_allowed(actor, WorkPlanDocument(work_plan=work_plan), Action.ADD)
    for upload in uploads:
        check_upload(upload)  # all of them before any is stored: a refused batch leaves no files
    with transaction.atomic():
        rows = []
        for upload in uploads:
            stored = store_upload(upload)
            rows.append(
                WorkPlanDocument(
                    work_plan=work_plan,
                    original_name=stored.original_name,
                    content_type=stored.content_type,
                    size=stored.size,
                    sha256=stored.sha256,
                    uploaded_by=actor,
                )
            )
        do_bulk_create_objects(rows, actor=actor)
        return list(work_plan.documents.order_by("-pk")[: len(rows)])[::-1]
