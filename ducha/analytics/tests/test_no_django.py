"""The analytics engines are library code: importing them loads no Django."""

import pkgutil
import subprocess
import sys

import ducha.analytics


def test_importing_every_engine_loads_no_django():
    engines = [f"ducha.analytics.{m.name}" for m in pkgutil.iter_modules(ducha.analytics.__path__) if m.name != "tests"]
    assert "ducha.analytics.sampling" in engines
    code = f"import sys; import {', '.join(engines)}; print(sorted(m for m in sys.modules if m.startswith('django')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
