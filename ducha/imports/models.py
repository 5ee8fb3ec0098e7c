"""The record of every ledger import: what was read, by whom, and what it did; and the
background jobs of the web: imports and large exports."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ducha.core.access import SUPERVISORS, ScopePath


class ImportKind(models.TextChoices):
    PROJECTS = "projects", _("Project ledger")
    PROBLEMS = "problems", _("Problem ledger")


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Refused")
    DRY_RUN = "dry_run", _("Dry run")


class ImporterScoped(models.Model):
    """The importer's own unit (and county), which scopes an import's record and job; an
    import by the office or a group names none, so only the office and viewers see it
    (and, for a job, its own user)."""

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        "org.Unit", verbose_name=_("county"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope = ScopePath(unit="unit", county="county")

    class Meta:
        abstract = True


class ImportRecord(ImporterScoped):
    """One workbook read (applied, refused or tried as a dry run). The file itself is kept
    under VAR_DIR/imports/<sha256>.<ext>. `unit` (and `county`) are the importer's own:
    a unit's imports are seen by that unit (a league/city also sees its counties') and its
    group; an import by the office or a group names no unit: the office and viewers see it."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("size"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(_("imported at"))
    batch = models.CharField(max_length=36, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    added = models.PositiveIntegerField(_("added"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    unknown_columns = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("import")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = (JobStatus.DONE, JobStatus.FAILED)


class Job(models.Model):
    """What every background job has: its user, its status, how far it got, why it failed,
    when it was created and finished."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The process running it, `host:pid:start` (imports/workers.py): a job whose worker
    # has ended while it ran is failed, not left running forever.
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class ImportJob(ImporterScoped, Job):
    """An import run in the background (the web's upload page): a dry run, or the real
    import of a file a dry run has shown. The file is the stored one
    (VAR_DIR/imports/<sha256>.<ext>); `preview` holds what the run found (counts, changed
    fields, the first errors) for the page. Scoped like ImportRecord: the importer's unit."""

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    dry_run = models.BooleanField(_("dry run"), default=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_validated = models.PositiveIntegerField(default=0)
    rows_applied = models.PositiveIntegerField(default=0)
    preview = models.JSONField(default=dict, blank=True)
    error_report = models.CharField(max_length=255, blank=True)  # the error workbook's file name
    record = models.ForeignKey(ImportRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the dry run a real import was confirmed from

    class Meta(Job.Meta):
        verbose_name = _("import job")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.finished else 0
        done = self.rows_validated if self.dry_run else (self.rows_validated + self.rows_applied) // 2
        return min(100, done * 100 // self.rows_total)


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")  # ?export=xlsx: every field (projects, problems: the list's columns)
    LEDGER = "ledger", _("Import layout")  # ?export=ledger: the import template's layout


class FileJob(Job):
    """A job that writes a file for its user to download: what the user asked for (the
    page's query, in the page's language), the download's name and how far the writing got."""

    query = models.TextField(blank=True)  # as in the page's URL
    language = models.CharField(max_length=16, blank=True)  # the page's: the file's words
    file_name = models.CharField(_("file name"), max_length=255)  # the download's name
    rows_written = models.PositiveIntegerField(default=0)  # of rows_total

    class Meta(Job.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.finished else 0
        return min(100, self.rows_written * 100 // self.rows_total)


class ExportJob(ImporterScoped, FileJob):
    """A large export of a ledger list run in the background. It keeps what the user asked
    for (the ledger's key and the list's query string), never the records: the worker
    builds the list again through the same filters and `restrict` for the job's user, and
    writes VAR_DIR/exports/<id>.xlsx. Seen by its own user and the office (the exporter's
    unit scopes it like an ImportJob, for `restrict`)."""

    ledger = models.CharField(_("ledger"), max_length=40)  # the registry's key
    export = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)

    class Meta(FileJob.Meta):
        verbose_name = _("export job")

    @property
    def path(self) -> Path:
        """Where the worker writes the file (readable by Ducha's user only)."""
        return exports_dir() / f"{self.pk}.xlsx"


class ReportJob(ImporterScoped, FileJob):
    """The summary report of a large campaign written in the background (web/report_jobs.py):
    the page's query (group, day), the format and the site's address its links point to;
    the worker writes the report as the job's user would download it, to
    VAR_DIR/reports/<id>.<format>, counting two steps (the figures, the file). Seen by its
    own user and the office."""

    report = models.CharField(_("report"), max_length=20)  # which: "summary"
    format = models.CharField(_("format"), max_length=10)
    base_url = models.CharField(max_length=255, blank=True)

    class Meta(FileJob.Meta):
        verbose_name = _("report job")

    @property
    def path(self) -> Path:
        return Path(settings.VAR_DIR) / "reports" / f"{self.pk}.{self.format}"


def exports_dir() -> Path:
    return Path(settings.VAR_DIR) / "exports"


class SamplingJobKind(models.TextChoices):
    DRAW = "draw", _("Draw a sample")
    CHECK = "check", _("Check a draw")


class SamplingJob(Job):
    """A sampling draw (按比例抽查), or the check of a stored one, run in the background
    (imports/sampling_jobs.py): a campaign-wide draw reads, draws and records for tens of
    seconds. A draw job keeps the rule asked for and, once done, its draw; a check job the
    draw it checks. Steps: rows_total (3) and steps_done; `steps` says, per step done, what
    it counted and how long it took. Scoped like the draw itself (what it covers): here,
    not in ledger/, because the job machinery (Job, the worker) is the imports app's."""

    kind = models.CharField(_("kind"), max_length=10, choices=SamplingJobKind.choices)
    language = models.CharField(max_length=16, blank=True)  # the page's: the job's messages
    campaign = models.ForeignKey("org.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey("org.SupervisionGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey("org.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proportion = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    minimum = models.PositiveIntegerField(null=True, blank=True)
    weighting = models.CharField(max_length=10, blank=True)
    seed = models.CharField(max_length=64, blank=True)
    draw = models.ForeignKey("ledger.SampleDraw", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    steps_done = models.PositiveSmallIntegerField(default=0)  # of rows_total
    steps = models.JSONField(default=list, blank=True)  # [{"step": name, "count": n, "seconds": s}]

    scope = ScopePath(unit=("unit", "unit__parent"), county="unit", group="group", writers=SUPERVISORS)

    class Meta(Job.Meta):
        verbose_name = _("sampling job")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def percent(self) -> int:
        """The steps done, and the share of the inspections recorded so far while they are
        (ledger/sampling.py: RECORDING; named here as text, so that the models load no DuckDB)."""
        if not self.rows_total:
            return 100 if self.finished else 0
        done = float(self.steps_done)
        drawn = next((s["count"] for s in self.steps if s["step"] == "drawn"), 0)
        if self.steps and self.steps[-1]["step"] == "recording" and drawn:
            done += self.steps[-1]["count"] / drawn
        return min(100, int(done * 100 / self.rows_total))
