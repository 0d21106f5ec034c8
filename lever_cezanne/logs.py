"""Logging to stdout, as a Heroku-style process should."""

import logging
import sys


def configure_logging(app) -> None:
    """Send the app's log records to stdout with a timestamp and the logger name."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("lever_cezanne")
    if not any(getattr(h, "_lever_cezanne", False) for h in logger.handlers):
        handler._lever_cezanne = True
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if app.debug else logging.INFO)
