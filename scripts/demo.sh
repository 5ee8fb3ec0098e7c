#!/bin/sh
# Set up and start the demo campaign: SQLite under var/, demo data, web server on 127.0.0.1:8000.
. "$(dirname "$0")/bootstrap.sh"
exec uv run --frozen ducha demo "$@"
