"""The analytics engines are library code: importing them loads no Django."""

import pkgutil
import subprocess
import sys

import ducha.analytics


def test_importing_every_engine_loads_no_django():
    # walk_packages reaches the sub-packages (redflags/) too.
    engines = [
        m.name
        for m in pkgutil.walk_packages(ducha.analytics.__path__, "ducha.analytics.")
        if ".tests" not in m.name and not m.name.endswith(".tests")
    ]
    assert {"ducha.analytics.sampling", "ducha.analytics.redflags.settings"} <= set(engines)
    code = f"import sys; import {', '.join(engines)}; print(sorted(m for m in sys.modules if m.startswith('django')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
