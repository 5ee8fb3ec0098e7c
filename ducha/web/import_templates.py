"""The import templates (导入模板) for download; which ledgers have an import layout
(their lists also export in it, ?export=ledger: web/export_jobs.py) and who may import."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from ducha.core.access import RoleKind, role_kind
from ducha.imports.templates_xlsx import write_template
from ducha.reports.xlsx import XLSX

# The ledgers with an import layout (ducha/imports/layouts.py).
IMPORT_LEDGERS = ("projects", "problems")
IMPORTERS = (RoleKind.OFFICE, RoleKind.GROUP_MEMBER, RoleKind.UNIT_REPORTER)


def may_import(user) -> bool:
    """Who imports ledgers (the upload page, its link in the navigation and on the lists):
    the office, group members and unit reporters; not a viewer, not a user without a role."""
    return role_kind(user) in IMPORTERS


def template_download(request, kind: str):
    if kind not in IMPORT_LEDGERS:
        raise Http404
    if role_kind(request.user) is None:
        return render(request, "web/403.html", status=403)
    response = HttpResponse(write_template(kind, request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
