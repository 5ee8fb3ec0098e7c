"""The web's ledger imports (导入台账): upload a workbook, watch the dry run, read its
preview, confirm, watch the import, see its result. The work runs in the background
(ducha/imports/jobs.py); these pages read the job's row.

Who: the office, group members and unit reporters import (their scope decides what a file
may do); a viewer or a user without a role is refused before the file is read. A job is
seen by whom its unit's records are seen (the office: all), and always by its own user.
"""

from pathlib import Path

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from ducha.core.access import Action, restrict, role_kind
from ducha.imports.jobs import ALLOWED_SUFFIXES, imports_dir, start_import_job, store_upload
from ducha.imports.models import ImportJob, ImportKind, JobStatus
from ducha.web.import_templates import may_import
from ducha.web.job_pages import progress_fragment
from ducha.web.uploads import check_before_upload


def visible_jobs(user) -> QuerySet[ImportJob]:
    scoped = restrict(ImportJob.objects.all(), user, Action.VIEW).values("pk")
    return ImportJob.objects.filter(Q(pk__in=scoped) | Q(user=user)).select_related("user", "record")


def get_job(request, pk: int) -> ImportJob:
    if role_kind(request.user) is None:
        raise Http404
    return get_object_or_404(visible_jobs(request.user), pk=pk)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Ledger"), choices=ImportKind.choices)
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def clean_file(self):
        file = self.cleaned_data["file"]
        if Path(file.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Only .xlsx and .csv files are imported."))
        if file.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)s."),
                params={"limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
            )
        return file


def _refuse_non_importer(request) -> HttpResponse | None:
    """Checked before the body is read: only an importer's file is read."""
    if not may_import(request.user):
        return render(request, "web/403.html", status=403)
    return None


@check_before_upload(_refuse_non_importer)
def imports_view(request):
    """The upload form and the jobs the user may see."""
    if not may_import(request.user):
        return render(request, "web/403.html", status=403)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        sha256 = store_upload(upload.name, upload.chunks())
        job = start_import_job(
            actor=request.user, kind=form.cleaned_data["kind"], file_name=upload.name, sha256=sha256, dry_run=True
        )
        return redirect("imports-job", job.pk)
    if request.method == "GET" and request.GET.get("kind") in ImportKind.values:
        form.initial["kind"] = request.GET["kind"]
    jobs = visible_jobs(request.user)[:50]
    return render(request, "web/imports/index.html", {"form": form, "jobs": jobs})


@require_GET
def job_view(request, pk: int):
    job = get_job(request, pk)
    confirmed = ImportJob.objects.filter(source=job).order_by("-pk").first()
    return render(request, "web/imports/job.html", {"job": job, **job_context(job), "confirmed": confirmed})


@require_GET
def job_progress(request, pk: int):
    return progress_fragment(request, get_job(request, pk), "web/imports/_progress.html")


@require_POST
def job_confirm(request, pk: int):
    """The real import of a dry run's file: only a finished dry run without errors, by a user
    who may import; once (a second post finds the first job)."""
    job = get_job(request, pk)
    refusal = confirm_refusal(job, request.user)
    if refusal is not None:
        return render(request, "web/403.html", {"message": refusal} if refusal else {}, status=403)
    return redirect("imports-job", confirm_import(job, request.user)[0].pk)


def confirm_refusal(job: ImportJob, user) -> str | None:
    """Why `user` may not confirm this check ("": not theirs to confirm), or None: they may."""
    if not may_import(user) or job.user_id != user.pk:  # the importer confirms their own check
        return ""
    if not job_context(job)["may_confirm"]:
        return gettext("This check cannot be confirmed.")
    return None


def confirm_import(job: ImportJob, actor) -> tuple[ImportJob, bool]:
    """The real import of a check the actor may confirm (confirm_refusal), and whether it
    was queued now: once; a second confirmation, even at the same moment, finds the first
    job (the check's row is locked while one looks)."""
    with transaction.atomic():
        ImportJob.objects.select_for_update().filter(pk=job.pk).first()
        existing = ImportJob.objects.filter(source=job).first()
        if existing is not None:
            return existing, False
        started = start_import_job(
            actor=actor, kind=job.kind, file_name=job.file_name, sha256=job.sha256, dry_run=False, source=job
        )
        return started, True


@require_GET
def job_errors(request, pk: int):
    """The error workbook of a job that found errors."""
    job = get_job(request, pk)
    name = f"{Path(job.file_name).stem}-{gettext('errors')}.xlsx"
    return FileResponse(error_report_path(job).open("rb"), as_attachment=True, filename=name)


def error_report_path(job: ImportJob) -> Path:
    """Where a job's error workbook is; 404 when it found no error or the file is gone."""
    if not job.error_report:
        raise Http404
    path = imports_dir() / Path(job.error_report).name
    if not path.is_file():
        raise Http404
    return path


def job_context(job: ImportJob) -> dict:
    """What a job's page (and the API) shows of its preview, and whether it may be confirmed."""
    preview = job.preview or {}
    errors_total = preview.get("errors_total", 0)
    return {
        "preview": preview,
        "counts": preview.get("counts", {}),
        "errors_total": errors_total,
        "more_errors": max(0, errors_total - len(preview.get("errors", []))),
        "may_confirm": job.dry_run and job.status == JobStatus.DONE and not errors_total and job.record_id is not None,
    }
