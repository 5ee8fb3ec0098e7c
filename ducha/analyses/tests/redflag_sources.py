"""A small platform bid file for the red-flag runs' tests, generated with planted patterns
(analytics/redflags/platform_synthetic) and written as the platform exports it (CSV)."""

import csv
import functools
import io

from ducha.analytics.redflags import platform_synthetic
from ducha.analytics.redflags.platform_synthetic import HEADERS

SPEC = platform_synthetic.Spec(lots=80, planted=2, bidders=60, experts=40)


@functools.cache
def synthetic() -> platform_synthetic.Synthetic:
    return platform_synthetic.generate(SPEC)


def bids_csv() -> tuple[str, bytes]:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADERS)
    rows = sorted(synthetic().rows.to_pylist(), key=lambda r: r["row"])  # the file's row numbers as generated
    writer.writerows([r[h] for h in HEADERS] for r in rows)
    return "平台投标数据.csv", text.getvalue().encode("utf-8-sig")
