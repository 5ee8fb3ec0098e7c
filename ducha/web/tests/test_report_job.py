"""The summary report of a large campaign is written by a report job: the download starts
it and shows its page, the worker writes the report as the job's user would download it,
and the page offers the file; only its user and the office see the job."""

import io

from django.test import override_settings
from django.urls import reverse
from docx import Document

from ducha.imports.models import JobStatus, ReportJob
from ducha.web.tests.helpers import page, run_jobs, text


@override_settings(REPORT_INLINE_PROBLEMS=0)  # every campaign is large
def test_a_large_campaigns_report_is_written_in_the_background(site, login):
    client = login("group_a")
    asked = client.get(reverse("report-summary-docx") + "?as_of=2024-06-20")
    job = ReportJob.objects.get()
    assert asked.status_code == 302 and asked["Location"] == reverse("reports-job", args=[job.pk])
    waiting = client.get(asked["Location"])
    assert job.status == JobStatus.QUEUED and 'data-testid="download"' not in page(waiting)

    assert run_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.percent) == (JobStatus.DONE, 100), job.message
    done = client.get(asked["Location"])
    assert job.file_name in text(done) and job.file_name.endswith("（截至2024-06-20）.docx")
    download = client.get(reverse("reports-job-download", args=[job.pk]))
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    # The member's own group, as of the day asked: what the page itself would have written.
    assert document.paragraphs[0].text == "A组工作推进情况"
    assert "（截至2024年6月20日）" in [p.text for p in document.paragraphs[:3]]

    for name, status in (("group_b", 404), ("league_a", 404), ("office", 200)):
        assert login(name).get(reverse("reports-job-download", args=[job.pk])).status_code == status, name


@override_settings(REPORT_INLINE_PROBLEMS=0)
def test_a_bad_day_is_said_at_once_not_in_a_job(site, login):
    response = login("office").get(reverse("report-summary-docx") + "?as_of=2020-01-01")
    assert response.status_code == 400 and not ReportJob.objects.exists()


def test_a_small_campaigns_report_is_written_in_the_request(site, login):
    response = login("office").get(reverse("report-summary-docx"))
    assert response.status_code == 200 and not ReportJob.objects.exists()
