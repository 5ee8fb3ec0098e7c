"""The `ducha` console script: Django's management commands under one name.

`ducha demo`, `ducha stats --json`, `ducha audit verify` and every Django command
(`ducha migrate`, `ducha runserver`, ...) go through here.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["serve"]:
        # Logs as JSON lines under the production server (and its children), unless told otherwise;
        # set before the settings are read.
        os.environ.setdefault("DUCHA_LOG_FORMAT", "json")
    if args[:1] == ["redflags"]:
        # `ducha redflags --settings FILE` names the red-flag settings file (Cardinal's
        # option), not Django's settings module, which Django would read it as.
        args = [_settings_file(arg) for arg in args]
    execute_from_command_line(["ducha", *args])


def _settings_file(arg: str) -> str:
    if arg == "--settings" or arg.startswith("--settings="):
        return arg.replace("--settings", "--settings-file", 1)
    return arg


if __name__ == "__main__":
    main()
