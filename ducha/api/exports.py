"""The export jobs (a long ledger list written in the background, web/export_jobs.py) as
the exports page has them: listed, read, their file downloaded. Seen by their own user
and the office (web/job_pages.visible_jobs); anyone else's is 404."""

from django.http import HttpRequest
from ninja import Query, Router

from ducha.api.errors import ERRORS
from ducha.api.jobs import ExportJobItem, export_job
from ducha.api.pages import Id, Paging, file_response, page_of, page_schema
from ducha.imports.models import ExportJob
from ducha.reports.xlsx import XLSX
from ducha.web.export_views import get_export_job
from ducha.web.job_pages import job_file, visible_jobs


def router() -> Router:
    r = Router(tags=["exports"])

    @r.get("/exports/", response={200: page_schema("ExportJobPage", ExportJobItem), **ERRORS},
           operation_id="list_exports")  # fmt: skip
    def list_exports(request: HttpRequest, paging: Query[Paging]):
        return page_of(visible_jobs(ExportJob, request.user), paging, export_job)

    @r.get("/exports/{int:job_id}/", response={200: ExportJobItem, **ERRORS}, operation_id="get_export")
    def get_export(request: HttpRequest, job_id: Id):
        return export_job(get_export_job(request, job_id))

    @r.get("/exports/{int:job_id}/download", response=ERRORS, operation_id="get_export_file",
           openapi_extra=file_response(XLSX, "The file of a finished export (404 until it is written)."))  # fmt: skip
    def download(request: HttpRequest, job_id: Id):
        return job_file(get_export_job(request, job_id))

    return r
