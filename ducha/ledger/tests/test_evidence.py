"""Evidence files: checked (size, type, content), stored outside the database under
EVIDENCE_ROOT by sha256, with the checksum kept on the Evidence row.

ducha/conftest.py points EVIDENCE_ROOT at a fresh temporary folder for every test."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import do_attach_evidence, do_transition_problem
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.evidence import EvidenceUpload, check_upload, evidence_path, store_upload
from ducha.ledger.models import Evidence, Problem

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
ZIP = b"PK\x03\x04" + b"\x00" * 26  # .docx, .xlsx, .ofd and .zip are zip containers
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16  # old .doc and .xls
EXE = b"MZ\x90\x00\x03\x00\x00\x00"


def files_on_disk(root) -> list[Path]:
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def error_text(error: ValidationError) -> str:
    with translation.override("en"):
        return " ".join(str(m) for m in error.messages)


def state(problem: Problem, settings) -> tuple:
    """What a refused upload must leave untouched: rows, log and files."""
    return (
        Evidence.objects.filter(problem=problem).count(),
        ChangeLogEntry.objects.count(),
        files_on_disk(settings.EVIDENCE_ROOT),
    )


# ---------------------------------------------------------------------------
# Storage.


def test_an_attached_file_is_stored_by_checksum_outside_the_database(small, settings):
    problem, reporter = small.problems["xincheng"], small.users["county_a"]

    [evidence] = do_attach_evidence(problem, actor=reporter, uploads=[EvidenceUpload("整改报告.pdf", PDF)])

    evidence = Evidence.objects.get(pk=evidence.pk)
    digest = hashlib.sha256(PDF).hexdigest()
    path = Path(settings.EVIDENCE_ROOT) / digest[:2] / digest
    assert evidence.sha256 == digest
    assert evidence_path(evidence.sha256) == path
    assert files_on_disk(settings.EVIDENCE_ROOT) == [path]
    stored = path.read_bytes()
    assert stored == PDF
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256
    assert (evidence.original_name, evidence.size, evidence.content_type) == (
        "整改报告.pdf",
        len(PDF),
        "application/pdf",
    )
    assert (evidence.problem, evidence.step, evidence.uploaded_by) == (problem, None, reporter)
    assert ChangeLogEntry.objects.filter(object_type="ledger.evidence", object_id=str(evidence.pk)).exists()


def test_the_database_keeps_no_file_content():
    kinds = (models.BinaryField, models.FileField)
    assert not [f.name for f in Evidence._meta.get_fields() if isinstance(f, kinds)]


def test_the_same_content_is_stored_once(small, settings):
    problem, reporter = small.problems["xincheng"], small.users["county_a"]
    first = do_attach_evidence(problem, actor=reporter, uploads=[EvidenceUpload("a.pdf", PDF)])
    second = do_attach_evidence(problem, actor=reporter, uploads=[EvidenceUpload("副本.PDF", PDF)])
    assert first[0].sha256 == second[0].sha256
    assert len(files_on_disk(settings.EVIDENCE_ROOT)) == 1
    assert Evidence.objects.filter(problem=problem).count() == 2  # two rows, each with its own name


def test_the_name_a_user_gives_does_not_choose_where_the_file_goes(small, settings):
    name = "../../../etc/cron.d/evil.pdf"
    [evidence] = do_attach_evidence(
        small.problems["xincheng"], actor=small.users["county_a"], uploads=[EvidenceUpload(name, PDF)]
    )
    [path] = files_on_disk(settings.EVIDENCE_ROOT)
    assert path.is_relative_to(Path(settings.EVIDENCE_ROOT))
    assert path.name == evidence.sha256
    assert Evidence.objects.get(pk=evidence.pk).original_name == name


def test_evidence_reported_with_a_rectification_belongs_to_its_step(small, settings):
    problem = small.problems["xincheng"]
    do_transition_problem(problem, ProblemStatus.RECTIFYING, actor=small.users["county_a"])
    uploads = [EvidenceUpload("报告.pdf", PDF), EvidenceUpload("现场.jpg", JPEG), EvidenceUpload("台账.xlsx", ZIP)]
    do_transition_problem(
        problem,
        ProblemStatus.RECTIFIED,
        actor=small.users["county_a"],
        evidence=uploads,
        completed_on=dt.date(2024, 6, 20),
    )
    step = problem.steps.get(to_status=ProblemStatus.RECTIFIED)
    rows = list(step.evidence.order_by("pk"))
    assert [e.original_name for e in rows] == ["报告.pdf", "现场.jpg", "台账.xlsx"]
    for row, upload in zip(rows, uploads, strict=True):
        assert evidence_path(row.sha256).read_bytes() == upload.content
        assert row.sha256 == hashlib.sha256(upload.content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", PDF),
        ("a.PDF", PDF),
        ("a.png", PNG),
        ("a.jpg", JPEG),
        ("a.jpeg", JPEG),
        ("a.docx", ZIP),
        ("a.xlsx", ZIP),
        ("a.zip", ZIP),
        ("a.ofd", ZIP),
        ("a.doc", OLE),
        ("a.xls", OLE),
    ],
)
def test_every_allowed_type_passes_with_real_content(name, content):
    check_upload(EvidenceUpload(name, content))


# ---------------------------------------------------------------------------
# What is refused, with a clear message, and leaves nothing behind.


def test_a_file_over_the_size_limit_is_refused(small, settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    problem = small.problems["xincheng"]
    too_big = PDF + b"\x00" * (settings.EVIDENCE_MAX_BYTES - len(PDF) + 1)
    before = state(problem, settings)

    with pytest.raises(ValidationError) as error:
        do_attach_evidence(problem, actor=small.users["county_a"], uploads=[EvidenceUpload("大.pdf", too_big)])
    assert error_text(error.value) == "File 大.pdf is larger than the limit of 1.0\xa0MB."
    assert state(problem, settings) == before

    just_fits = too_big[:-1]
    [evidence] = do_attach_evidence(
        problem, actor=small.users["county_a"], uploads=[EvidenceUpload("刚好.pdf", just_fits)]
    )
    assert evidence.size == settings.EVIDENCE_MAX_BYTES


@pytest.mark.parametrize(
    ("name", "shown"),
    [("setup.exe", ".exe"), ("page.html", ".html"), ("script.pdf.js", ".js"), ("README", "?")],
)
def test_a_disallowed_type_is_refused(small, settings, name, shown):
    problem = small.problems["xincheng"]
    before = state(problem, settings)
    with pytest.raises(ValidationError) as error:
        do_attach_evidence(problem, actor=small.users["county_a"], uploads=[EvidenceUpload(name, EXE)])
    text = error_text(error.value)
    assert text.startswith(f"File {name}: type {shown} is not allowed (allowed: ")
    assert ".pdf" in text
    assert state(problem, settings) == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("报告.pdf", EXE),  # a renamed program
        ("报告.pdf", b"<html>not a pdf</html>"),
        ("照片.png", JPEG),  # a real image, of another type
        ("照片.jpg", PNG),
        ("台账.xlsx", PDF),
        ("台账.xls", ZIP),
        ("报告.pdf", b" %PDF-1.7"),  # the signature must come first
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(small, settings, name, content):
    problem = small.problems["xincheng"]
    before = state(problem, settings)
    with pytest.raises(ValidationError) as error:
        do_attach_evidence(problem, actor=small.users["county_a"], uploads=[EvidenceUpload(name, content)])
    suffix = Path(name).suffix
    assert error_text(error.value) == f"File {name} is not a real {suffix} file."
    assert state(problem, settings) == before


def test_an_empty_file_is_refused(small, settings):
    problem = small.problems["xincheng"]
    before = state(problem, settings)
    with pytest.raises(ValidationError) as error:
        do_attach_evidence(problem, actor=small.users["county_a"], uploads=[EvidenceUpload("空.pdf", b"")])
    assert error_text(error.value) == "File 空.pdf is empty."
    assert state(problem, settings) == before


def test_one_bad_file_refuses_the_whole_upload(small, settings):
    problem = small.problems["xincheng"]
    before_rows, before_log, _ = state(problem, settings)
    uploads = [EvidenceUpload("好.pdf", PDF), EvidenceUpload("坏.pdf", EXE)]
    with pytest.raises(ValidationError):
        do_attach_evidence(problem, actor=small.users["county_a"], uploads=uploads)
    # No row and no log entry; the good file's bytes may be on disk, but nothing refers to them.
    assert state(problem, settings)[:2] == (before_rows, before_log)


def test_store_upload_checks_before_it_writes(settings):
    with pytest.raises(ValidationError):
        store_upload(EvidenceUpload("x.pdf", EXE))
    assert files_on_disk(settings.EVIDENCE_ROOT) == []
