import datetime as dt
import shutil
import subprocess

import pytest

from ducha.demo.evidence import rectification_evidence, rectification_pdf
from ducha.demo.tests.files import assert_valid_pdf
from ducha.ledger.evidence import check_upload


def test_the_pdf_is_small_well_formed_and_passes_the_upload_check():
    data = rectification_pdf("WT-150100-0001", "150100", dt.date(2024, 7, 3))
    assert len(data) < 2048
    assert_valid_pdf(data)
    upload = rectification_evidence("WT-150100-0001", "150100", dt.date(2024, 7, 3))
    assert upload.name == "WT-150100-0001-整改完成情况说明.pdf"
    check_upload(upload)


def test_text_is_escaped_and_each_problem_gets_its_own_file():
    data = rectification_pdf("WT-(1)\\2", "150100", dt.date(2024, 7, 3))
    assert b"(Problem: WT-\\(1\\)\\\\2)" in data
    assert_valid_pdf(data)
    other = rectification_pdf("WT-150100-0002", "150100", dt.date(2024, 7, 3))
    assert other != rectification_pdf("WT-150100-0001", "150100", dt.date(2024, 7, 3))


def _complaints(stderr: str) -> list[str]:
    """poppler's messages about the file; those about the Chinese font's encoding ("Missing
    language pack for 'Adobe-GB1' mapping", a CMap, a font) only say that poppler-data (the
    CJK encodings) is not installed."""
    about_cjk = ("CMap", "font", "language pack")
    return [line for line in stderr.splitlines() if not any(word.lower() in line.lower() for word in about_cjk)]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_a_real_pdf_reader_opens_it(tmp_path):
    path = tmp_path / "evidence.pdf"
    path.write_bytes(rectification_pdf("WT-150100-0001", "150100", dt.date(2024, 7, 3)))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert _complaints(text.stderr) == []
    assert "Problem: WT-150100-0001" in text.stdout and "2024-07-03" in text.stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Pages:           1" in info.stdout and "WT-150100-0001" in info.stdout
    render = subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(path), str(tmp_path / "page")], capture_output=True, text=True
    )
    assert render.returncode == 0 and _complaints(render.stderr) == []
    assert (tmp_path / "page-1.png").read_bytes().startswith(b"\x89PNG")
