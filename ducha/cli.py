"""The `ducha` console script: Django's management commands under one name.

`ducha demo`, `ducha stats --json`, `ducha audit verify` and every Django command
(`ducha migrate`, `ducha runserver`, ...) go through here.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ducha", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
