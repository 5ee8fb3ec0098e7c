"""The import templates (导入模板) for download and the full-field export of the project
and problem ledgers in the template's layout (?export=ledger on their list pages)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from ducha.core.access import role_kind
from ducha.core.registry import Ledger
from ducha.imports.exports import headers_of, ledger_rows
from ducha.imports.templates_xlsx import write_template
from ducha.reports.xlsx import XLSX, xlsx_response

# The ledgers with an import layout (ducha/imports/layouts.py).
IMPORT_LEDGERS = ("projects", "problems")


def template_download(request, kind: str):
    if kind not in IMPORT_LEDGERS:
        raise Http404
    if role_kind(request.user) is None:
        return render(request, "web/403.html", status=403)
    response = HttpResponse(write_template(kind, request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response


def ledger_export(ledger: Ledger, qs, user) -> HttpResponse:
    """Every field of the filtered list in the import layout: it imports back unchanged."""
    return xlsx_response(f"{ledger.key}-ledger.xlsx", headers_of(ledger.key), ledger_rows(ledger.key, qs, user))
