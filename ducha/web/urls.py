"""URLs of the ledger pages, built from the registry: four per ledger (list, add,
detail, edit), plus the problem page's workflow step, deadline extensions and evidence
download, the project page's inspections, the imports and the export jobs."""

from django.urls import path

from ducha.core.registry import Ledger, ledgers
from ducha.web import bulletin_views, export_views, generic, import_views, report_job_views, report_views
from ducha.web.comparison_views import urlpatterns as comparison_urls
from ducha.web.import_templates import template_download
from ducha.web.lookup import project_lookup
from ducha.web.problem_views import evidence_download, extension_decide_view, extension_request_view, transition_view
from ducha.web.project_views import inspection_view
from ducha.web.redflag_views import urlpatterns as redflag_urls
from ducha.web.sampling_views import urlpatterns as sampling_urls
from ducha.web.supervision import urlpatterns as supervision_urls
from ducha.web.token_views import revoke_view, tokens_view


def _urls(ledger: Ledger) -> list:
    k = ledger.key
    return [
        path(f"{k}/", lambda r, ledger=ledger: generic.list_view(r, ledger), name=f"{k}-list"),
        path(f"{k}/add/", lambda r, ledger=ledger: generic.edit_view(r, ledger), name=f"{k}-add"),
        path(f"{k}/<int:pk>/", lambda r, pk, ledger=ledger: generic.detail_view(r, ledger, pk), name=f"{k}-detail"),
        path(f"{k}/<int:pk>/edit/", lambda r, pk, ledger=ledger: generic.edit_view(r, ledger, pk), name=f"{k}-edit"),
    ]


urlpatterns = [
    path("projects/lookup/", project_lookup, name="projects-lookup"),  # before projects/<pk>/
    # Before the generic pages: a supervision ledger may add its records through its own
    # action (a weekly report takes its figures from the ledger), at the same address.
    *supervision_urls,
    *sampling_urls,
    *comparison_urls,
    *redflag_urls,
    *(u for ledger in ledgers() for u in _urls(ledger)),
    path("problems/<int:pk>/to/<str:target>/", transition_view, name="problems-transition"),
    path("problems/<int:pk>/extensions/", extension_request_view, name="problems-extension-request"),
    path(
        "problems/<int:pk>/extensions/<int:extension>/decide/",
        extension_decide_view,
        name="problems-extension-decide",
    ),
    path("projects/<int:pk>/inspections/", inspection_view, name="projects-inspection"),
    path("evidence/<int:pk>/", evidence_download, name="evidence-download"),
    path("account/tokens/", tokens_view, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", revoke_view, name="api-tokens-revoke"),
    path("imports/template/<str:kind>.xlsx", template_download, name="imports-template"),
    path("imports/", import_views.imports_view, name="imports"),
    path("imports/<int:pk>/", import_views.job_view, name="imports-job"),
    path("imports/<int:pk>/progress/", import_views.job_progress, name="imports-job-progress"),
    path("imports/<int:pk>/confirm/", import_views.job_confirm, name="imports-job-confirm"),
    path("imports/<int:pk>/errors.xlsx", import_views.job_errors, name="imports-job-errors"),
    path("exports/", export_views.exports_view, name="exports"),
    path("exports/<int:pk>/", export_views.job_view, name="exports-job"),
    path("exports/<int:pk>/progress/", export_views.job_progress, name="exports-job-progress"),
    path("exports/<int:pk>/download/", export_views.job_download, name="exports-job-download"),
    path("reports/summary/", report_views.summary_page, name="report-summary"),
    path("reports/summary.docx", report_views.summary_download, {"fmt": "docx"}, name="report-summary-docx"),
    path("reports/summary.html", report_views.summary_download, {"fmt": "html"}, name="report-summary-html"),
    path("reports/jobs/<int:pk>/", report_job_views.job_view, name="reports-job"),
    path("reports/jobs/<int:pk>/progress/", report_job_views.job_progress, name="reports-job-progress"),
    path("reports/jobs/<int:pk>/download/", report_job_views.job_download, name="reports-job-download"),
    path("reports/weekly/", bulletin_views.bulletin_page, name="report-bulletin"),
    path("reports/weekly.docx", bulletin_views.bulletin_download, {"fmt": "docx"}, name="report-bulletin-docx"),
    path("reports/weekly.html", bulletin_views.bulletin_download, {"fmt": "html"}, name="report-bulletin-html"),
    path("reports/tables.xlsx", bulletin_views.tables_download, name="report-tables"),
]
