#!/bin/sh
# Set up and run the whole test suite (lint first). The database is SQLite unless
# DUCHA_DATABASE_URL names another (scripts/with-postgres.sh starts a PostgreSQL).
. "$(dirname "$0")/bootstrap.sh"
# The browser tests drive Debian's Chromium (never a downloaded one); a CJK font makes Chinese
# render; gettext lets the translation test check the catalogue against the code; poppler's
# pdftotext and pdftoppm read the PDFs Ducha writes.
if ! command -v chromium >/dev/null 2>&1 || ! command -v xgettext >/dev/null 2>&1 \
    || ! command -v pdftoppm >/dev/null 2>&1 || [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then
    if [ "$(id -u)" = 0 ]; then
        apt_install() {
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk gettext poppler-utils poppler-data >/dev/null
        }
        apt_install || { apt-get update -q >/dev/null && apt_install; }
    else
        echo "ducha: chromium, fonts-noto-cjk, gettext or poppler-utils missing (not root, not installing);" \
            "their tests skip" >&2
    fi
fi
uv run --frozen ruff check --quiet .
uv run --frozen ruff format --check --quiet .
uv run --frozen mypy ducha
# Two processes (pytest-xdist; DUCHA_TEST_WORKERS=1 for one), a test file to each at a time
# (ducha/conftest.py groups them).
workers="${DUCHA_TEST_WORKERS:-2}"
if [ "$workers" -gt 1 ]; then
    set -- -n "$workers" --dist loadfile "$@"
fi
exec uv run --frozen pytest "$@"
