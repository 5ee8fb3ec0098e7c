"""Work plans' documents: files stored like evidence (checked, kept by checksum), each
described by a WorkPlanDocument row written with its change-log row."""

from collections.abc import Sequence
from dataclasses import asdict

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
        # The stored file's description (name, type, size, checksum) is the row's own.
        rows = [
            WorkPlanDocument(work_plan=work_plan, uploaded_by=actor, **asdict(store_upload(upload)))
            for upload in uploads
        ]
        do_bulk_create_objects(rows, actor=actor)
        return list(work_plan.documents.order_by("-pk")[: len(rows)])[::-1]
