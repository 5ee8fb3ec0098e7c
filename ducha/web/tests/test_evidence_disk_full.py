"""The evidence disk full (issue 12, fault tests): a step whose evidence cannot be written
is refused with a clear message at its files, and nothing is recorded without its file: no
step, no Evidence row, no change-log row, no half-written file on the disk.

The disk is a real one: a 128 KiB tmpfs mounted for the test and filled to the last byte.
Mounting needs root (the CI runs the suite as root); elsewhere the test says so and skips."""

import errno
import os
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ducha.core.models import ChangeLogEntry
from ducha.ledger.actions import do_transition_problem
from ducha.ledger.models import Evidence, Problem, RectificationStep
from ducha.testing import zh
from ducha.web.tests.helpers import PDF, by_testid


@pytest.fixture
def full_disk(tmp_path, settings) -> Path:
    """A small filesystem, full, as the evidence root."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root (the CI runs the suite as root)")
    mount = tmp_path / "evidence-disk"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k,mode=0700", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"this machine refuses to mount a tmpfs: {mounted.stderr.strip()}")
    try:
        (mount / "evidence").mkdir(mode=0o700)  # Ducha's folder, there before the disk filled up
        # Unbuffered: the error comes at a write, not when the file is closed.
        with open(mount / "filler", "wb", buffering=0) as filler, pytest.raises(OSError) as full:
            while True:
                filler.write(b"\0" * 4096)
        assert full.value.errno == errno.ENOSPC
        settings.EVIDENCE_ROOT = mount / "evidence"
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_evidence_on_a_full_disk_is_refused_and_nothing_is_recorded(small, client, full_disk):
    problem = small.problems["hohhot"]  # the league's own problem, found
    do_transition_problem(problem, "rectifying", actor=small.system, measures="约谈代理机构")
    counts = (ChangeLogEntry.objects.count(), RectificationStep.objects.count(), Evidence.objects.count())
    client.force_login(small.users["league_a"])

    response = client.post(
        reverse("problems-transition", args=[problem.pk, "rectified"]),
        {"completed_on": "2024-06-20", "evidence": SimpleUploadedFile("整改报告.pdf", PDF * 200)},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200  # the page with the form and its error, not a server error
    message = zh(
        "There is no space left to store %(name)s: nothing was saved. Ask the administrator to free space.",
        name="整改报告.pdf",
    )
    assert by_testid(response, "error-evidence") == message
    assert Problem.objects.get(pk=problem.pk).status == "rectifying"
    assert (ChangeLogEntry.objects.count(), RectificationStep.objects.count(), Evidence.objects.count()) == counts
    assert files_under(full_disk) == ["filler"]  # no half file, no temporary file left


def test_the_same_file_once_there_is_room_again(small, client, full_disk):
    """Freed space: the same post succeeds, with its file and its rows."""
    problem = small.problems["hohhot"]  # the league's own problem, found
    do_transition_problem(problem, "rectifying", actor=small.system, measures="约谈代理机构")
    (full_disk / "filler").unlink()
    client.force_login(small.users["league_a"])

    response = client.post(
        reverse("problems-transition", args=[problem.pk, "rectified"]),
        {"completed_on": "2024-06-20", "evidence": SimpleUploadedFile("整改报告.pdf", PDF * 200)},
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get(problem=problem)
    assert (full_disk / "evidence" / evidence.sha256[:2] / evidence.sha256).stat().st_size == evidence.size
