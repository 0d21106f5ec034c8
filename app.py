"""WSGI entry point: `gunicorn app:app`, `flask --app app ...`."""

import sys

from lever_cezanne import ConfigError, create_app

try:
    app = create_app()
except ConfigError as exc:
    sys.exit(f"lever_cezanne cannot start: {exc}")
