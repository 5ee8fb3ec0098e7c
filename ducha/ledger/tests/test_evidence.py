"""Evidence files: checked (size, type, content), stored outside the database under
EVIDENCE_ROOT by sha256, with the checksum kept on the Evidence row.

ducha/conftest.py points EVIDENCE_ROOT at a fresh temporary folder for every test."""

import datetime as dt
import hashlib
import io
import os
import stat
import tracemalloc
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.db import models
from django.utils import translation

from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import do_attach_evidence, do_transition_problem
from ducha.ledger.choices import ProblemStatus
from ducha.ledger.evidence import CHUNK, EvidenceUpload, check_upload, evidence_path, store_upload
from ducha.ledger.models import Evidence, Problem
from ducha.ledger.tests.files import (
    DOCX,
    DOCX_PARTS,
    JPEG,
    OFD,
    OLE,
    PDF,
    PNG,
    XLSX,
    ZIP,
    docx,
    pdf,
    pdf_of_size,
    zip_of,
)

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
    do_transition_problem(problem, ProblemStatus.RECTIFYING, actor=small.users["county_a"], measures="整改措施")
    uploads = [EvidenceUpload("报告.pdf", PDF), EvidenceUpload("现场.jpg", JPEG), EvidenceUpload("台账.xlsx", XLSX)]
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
        ("a.docx", DOCX),
        ("a.xlsx", XLSX),
        ("a.zip", ZIP),
        ("a.ofd", OFD),
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
    too_big = pdf_of_size(settings.EVIDENCE_MAX_BYTES + 1)
    before = state(problem, settings)

    with pytest.raises(ValidationError) as error:
        do_attach_evidence(problem, actor=small.users["county_a"], uploads=[EvidenceUpload("大.pdf", too_big)])
    assert error_text(error.value) == "File 大.pdf is larger than the limit of 1.0\xa0MB."
    assert state(problem, settings) == before

    just_fits = pdf_of_size(settings.EVIDENCE_MAX_BYTES)
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


# ---------------------------------------------------------------------------
# Content beyond the first bytes: what the extension promises must be there.


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        check_upload(EvidenceUpload(name, content))
    return error_text(error.value)


def damaged(name: str) -> str:
    return f"File {name} is not a real {Path(name).suffix} file: it is damaged or incomplete."


def encrypted(content: bytes) -> bytes:
    """The archive with every member flagged as encrypted (local and central headers)."""
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset] |= 0x1
            start += 4
    return bytes(data)


def understated(content: bytes, member_size: int, claimed: int) -> bytes:
    """The archive with its single member's uncompressed size replaced by a smaller claim."""
    real, small = member_size.to_bytes(4, "little"), claimed.to_bytes(4, "little")
    data = bytearray(content)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature)
        assert data[start + offset : start + offset + 4] == real
        data[start + offset : start + offset + 4] = small
    return bytes(data)


def across_chunks(markup: bytes) -> bytes:
    """A real PDF with `markup` in a comment, straddling the first two chunks check_upload reads."""
    content = bytearray(pdf_of_size(2 * CHUNK))
    assert content[CHUNK - 100 : CHUNK + 100] == b"0" * 200  # inside the padding comment
    content[CHUNK - 3 : CHUNK - 3 + len(markup)] = markup
    return bytes(content)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (PDF.replace(b"%%EOF", b"%%END"), "damaged"),  # no end marker
        (PDF[: len(PDF) // 2], "damaged"),  # cut off
        (pdf() + b"\n" + b" " * 2048, "damaged"),  # the marker is not at the end
        (b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n", "markup"),
        (b"%PDF-1.7\n<!DOCTYPE HTML><p>x</p>\n%%EOF\n", "markup"),
        (pdf().replace(b"endobj\n", b"endobj\n<SCRIPT src=//x></SCRIPT>\n", 1), "markup"),  # hidden between objects
        (across_chunks(b"<iframe src=x>"), "markup"),  # split between two of the chunks it is read in
        (b"%PDF-x\n%%EOF\n", "type"),  # no version
    ],
)  # fmt: skip
def test_a_pdf_must_be_complete_and_no_web_page(content, reason):
    text = refusal("整改报告.pdf", content)
    expected = {
        "damaged": damaged("整改报告.pdf"),
        "markup": "File 整改报告.pdf is not a real .pdf file: it contains web page code.",
        "type": "File 整改报告.pdf is not a real .pdf file.",
    }[reason]
    assert text == expected


def test_a_pdf_with_a_later_revision_passes():
    check_upload(EvidenceUpload("a.pdf", PDF + b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n%%EOF\n"))


MACRO_TYPES = DOCX_PARTS["[Content_Types].xml"].replace(
    b"officedocument.wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("报告.docx", ZIP, "File 报告.docx is not a real .docx file: the part [Content_Types].xml is missing."),
        ("报告.docx", XLSX, "File 报告.docx is not a real .docx file: the part word/document.xml is missing."),
        ("台账.xlsx", DOCX, "File 台账.xlsx is not a real .xlsx file: the part xl/workbook.xml is missing."),
        ("报告.docx", docx({"word/document.xml": None}),
         "File 报告.docx is not a real .docx file: the part word/document.xml is missing."),
        ("报告.docx", docx({"[Content_Types].xml": MACRO_TYPES}),  # a .docm renamed
         "File 报告.docx is not a real .docx file: it declares another kind of document."),
        ("台账.xlsx", zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
         "File 台账.xlsx is not a real .xlsx file: it declares another kind of document."),
        ("公文.ofd", ZIP, "File 公文.ofd is not a real .ofd file: the part OFD.xml is missing."),
    ],
)  # fmt: skip
def test_an_office_document_or_ofd_must_be_a_real_package(name, content, expected):
    assert refusal(name, content) == expected


@pytest.mark.parametrize("name", ["a.zip", "a.docx", "a.xlsx", "a.ofd"])
def test_a_damaged_archive_is_refused(name):
    content = {"a.zip": ZIP, "a.docx": DOCX, "a.xlsx": XLSX, "a.ofd": OFD}[name]
    assert refusal(name, content[: len(content) - 30]) == damaged(name)  # the central directory cut off
    spoiled = bytearray(content)
    spoiled[60] ^= 0xFF  # inside the first member's compressed data
    assert refusal(name, bytes(spoiled)) == damaged(name)


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused():
    member = bytes(range(256)) * 4096  # 1 MiB
    honest = zip_of({"data.bin": member})
    check_upload(EvidenceUpload("a.zip", honest))
    assert refusal("a.zip", understated(honest, len(member), 1000)) == damaged("a.zip")


def test_a_zip_bomb_is_refused_by_its_ratio():
    bomb = zip_of({"zeros.bin": b"\0" * (8 * 1024 * 1024)})  # 8 MiB in about 8 KiB
    assert len(bomb) < 16 * 1024
    text = refusal("a.zip", bomb)
    assert text.startswith("File a.zip is refused as a zip bomb: it unpacks to ")
    assert text.endswith(" times its size (the limit is 100 times).")
    assert refusal("a.docx", docx({"word/media/zeros.bin": b"\0" * (8 * 1024 * 1024)})).startswith(
        "File a.docx is refused as a zip bomb"
    )


def test_a_zip_bomb_is_refused_by_what_it_unpacks_to(settings):
    settings.EVIDENCE_ZIP_MAX_UNPACKED_BYTES = 1024 * 1024
    stored = zip_of({"a.bin": bytes(range(256)) * 3000, "b.bin": bytes(range(256)) * 3000}, compression=0)
    assert refusal("a.zip", stored) == (
        "File a.zip is refused as a zip bomb: it unpacks to 1.5\xa0MB (the limit is 1.0\xa0MB)."
    )
    settings.EVIDENCE_ZIP_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    check_upload(EvidenceUpload("a.zip", stored))


def test_an_archive_of_too_many_files_is_refused(settings):
    settings.EVIDENCE_ZIP_MAX_MEMBERS = 50
    many = zip_of({f"{i}.txt": b"x" for i in range(51)})
    assert refusal("a.zip", many) == "File a.zip holds too many files (51; the limit is 50)."
    check_upload(EvidenceUpload("a.zip", zip_of({f"{i}.txt": b"x" for i in range(50)})))


def test_an_encrypted_archive_is_refused():
    assert refusal("a.zip", encrypted(ZIP)) == (
        "File a.zip is encrypted and cannot be checked; upload it without a password."
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("照片.png", PNG[:12] + b"IDAT" + PNG[16:]),  # no header chunk first
        ("照片.png", PNG[:10]),
        ("旧.doc", OLE[:28] + b"\x00\x00" + OLE[30:]),  # no byte-order mark
        ("旧.xls", OLE[:30] + b"\x0c\x00" + OLE[32:]),  # version 3 with 4096-byte sectors
        ("旧.doc", OLE[:300]),
    ],
)
def test_images_and_old_office_files_need_their_headers(name, content):
    assert refusal(name, content) == damaged(name)


# ---------------------------------------------------------------------------
# Uploads on disk: checked by size before anything is read, read in chunks.


class CountingFile(io.BytesIO):
    """A file that counts what is read from it."""

    def __init__(self, content: bytes):
        super().__init__(content)
        self.read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data


def test_a_file_over_the_limit_is_refused_before_any_of_it_is_read(settings):
    settings.EVIDENCE_MAX_BYTES = 1024 * 1024
    file = CountingFile(pdf_of_size(2 * 1024 * 1024))
    big = EvidenceUpload("大.pdf", file=file)

    with pytest.raises(ValidationError) as error:
        check_upload(big)

    assert error_text(error.value) == "File 大.pdf is larger than the limit of 1.0\xa0MB."
    assert file.read_bytes == 0


def test_an_upload_on_disk_is_stored_in_chunks(small, settings):
    content = pdf_of_size(3 * 1024 * 1024)
    uploaded = TemporaryUploadedFile("整改报告.pdf", "application/pdf", len(content), None)
    uploaded.write(content)
    uploaded.flush()

    upload = EvidenceUpload.from_uploaded_file(uploaded)
    assert (upload.name, upload.size) == ("整改报告.pdf", len(content))
    tracemalloc.start()
    try:
        [evidence] = do_attach_evidence(small.problems["xincheng"], actor=small.users["county_a"], uploads=[upload])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        uploaded.close()

    assert peak < len(content) // 2  # never the whole file in memory
    assert evidence_path(evidence.sha256).read_bytes() == content
    assert (evidence.size, evidence.sha256) == (len(content), hashlib.sha256(content).hexdigest())


# ---------------------------------------------------------------------------
# Files on disk: for Ducha's user only.


def test_evidence_files_and_folders_are_private_whatever_the_umask(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    old = os.umask(0)
    try:
        stored = store_upload(EvidenceUpload("a.pdf", PDF))
    finally:
        os.umask(old)
    path = evidence_path(stored.sha256)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(settings.EVIDENCE_ROOT).stat().st_mode) == 0o700
    assert files_on_disk(settings.EVIDENCE_ROOT) == [path]  # no temporary file left
