"""Ledger imports through the API, as the upload page has them (web/import_views.py): a
workbook posted to imports/{kind}/ starts the same background check (a dry run) and
answers 202 with the job; the job's state, counters, preview and result are read at
imports/{id}/; imports/{id}/confirm/ starts the real import as the page's button does;
errors.xlsx is the error workbook; the import templates too.

Who: only an importer posts a file (anyone else is refused before it is read); a job is
seen by whom the page shows it to (another unit's job is 404)."""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import register_converter
from django.urls.converters import StringConverter
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from ducha.api.auth import TokenOf
from ducha.api.errors import ERRORS, ApiError, ProblemDetails
from ducha.api.jobs import ImportJobItem, import_job
from ducha.api.pages import Id, Paging, actor, file_response, location, page_of, page_schema, refuse_invalid, uploaded
from ducha.core.access import role_kind
from ducha.imports.jobs import start_import_job, store_upload
from ducha.imports.models import ImportJob
from ducha.reports.xlsx import XLSX
from ducha.web.import_templates import IMPORT_LEDGERS, may_import, template_download
from ducha.web.import_views import (
    UploadForm,
    confirm_import,
    confirm_refusal,
    get_job,
    job_errors,
    visible_jobs,
)

Kind = Literal["projects", "problems"]


class KindConverter(StringConverter):
    """imports/{kind}/ takes a kind only, so that imports/{job_id}/ (its other methods) and
    any other word are not answered 405 by the wrong route."""

    regex = "|".join(IMPORT_LEDGERS)


register_converter(KindConverter, "importkind")
LINKED = ("user", "record", "unit", "county")


def router() -> Router:
    r = Router(tags=["imports"])

    @r.get("/imports/", response={200: page_schema("ImportJobPage", ImportJobItem), **ERRORS},
           operation_id="list_imports")  # fmt: skip
    def list_imports(request: HttpRequest, paging: Query[Paging]):
        """The import jobs the user sees (as on the upload page), newest first."""
        jobs = visible_jobs(request.user) if role_kind(request.user) else ImportJob.objects.none()
        return page_of(jobs.select_related(*LINKED), paging, import_job)

    @r.get("/imports/templates/{kind}.xlsx", response=ERRORS, operation_id="get_import_template",
           openapi_extra=file_response(XLSX, "The import template (导入模板) of the ledger."))  # fmt: skip
    def get_template(request: HttpRequest, kind: Kind):
        if role_kind(request.user) is None:
            raise ApiError(403, _("You may not do this."))
        return template_download(request, kind)

    @r.get("/imports/{int:job_id}/", response={200: ImportJobItem, **ERRORS}, operation_id="get_import",
           url_name="get_import")  # fmt: skip
    def get_import(request: HttpRequest, job_id: Id):
        """A job's state and counters (live while it runs), its preview and its result."""
        return import_job(get_job(request, job_id))

    @r.get("/imports/{int:job_id}/errors.xlsx", response=ERRORS, operation_id="get_import_errors",
           openapi_extra=file_response(XLSX, "The error workbook: every refused row with its reasons."))  # fmt: skip
    def get_errors(request: HttpRequest, job_id: Id):
        return job_errors(request, job_id)

    @r.post("/imports/{int:job_id}/confirm/", response={200: ImportJobItem, 202: ImportJobItem, **ERRORS},
            operation_id="confirm_import")  # fmt: skip
    def confirm(request: HttpRequest, job_id: Id, response: HttpResponse):
        """The real import of a finished check without errors, by its own user: 202 with the
        new job; once (a second confirmation answers 200 with the first one's job)."""
        job = get_job(request, job_id)
        refusal = confirm_refusal(job, request.user)
        if refusal is not None:
            raise ApiError(403, refusal or _("You may not do this."))
        started, now = confirm_import(job, actor(request))
        response["Location"] = location("get_import", started.pk)
        return Status(202 if now else 200, import_job(started))

    @r.post("/imports/{importkind:kind}/", auth=TokenOf(may_import), operation_id="start_import",
            response={202: ImportJobItem, 413: ProblemDetails, **ERRORS})  # fmt: skip
    def start(request: HttpRequest, kind: Kind, response: HttpResponse, file: File[UploadedFile | None] = None):
        """A workbook (.xlsx or .csv, multipart field `file`) checked in the background: 202
        with the job (Location: where to read it). Nothing is written to the ledger until
        the check is confirmed."""
        form = UploadForm({"kind": kind}, uploaded(file=file))
        refuse_invalid(form)
        upload = form.cleaned_data["file"]
        sha256 = store_upload(upload.name, upload.chunks())
        job = start_import_job(actor=actor(request), kind=kind, file_name=upload.name, sha256=sha256, dry_run=True)
        response["Location"] = location("get_import", job.pk)
        return Status(202, import_job(job))

    return r
