"""Every `ducha` command loads the models: they must not load the analytics' heavy
libraries (DuckDB and Arrow cost ≈ 90 ms, a tenth of `ducha stats --json`'s second)."""

import subprocess
import sys

HEAVY = ("duckdb", "pyarrow", "rapidfuzz", "openpyxl", "docx", "python_calamine")


def test_setting_up_django_loads_no_analytics_library():
    code = (
        "import sys, django; django.setup(); "
        "from django.apps import apps; apps.get_models(); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
