#!/bin/sh
# Set up and run the whole test suite (lint first). The database is SQLite unless
# DUCHA_DATABASE_URL names another (scripts/with-postgres.sh starts a PostgreSQL).
. "$(dirname "$0")/bootstrap.sh"
uv run --frozen ruff check --quiet .
uv run --frozen ruff format --check --quiet .
uv run --frozen mypy ducha
exec uv run --frozen pytest "$@"
