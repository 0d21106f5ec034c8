"""Test connection: one cheap Lever call, and what to do when it fails."""

import logging

from lever_cezanne.lever.client import LeverClient
from lever_cezanne.lever.errors import (
    LeverAuthorisationError,
    LeverError,
    LeverTransientError,
)

log = logging.getLogger(__name__)


def check_connection(integration_id: int) -> tuple[bool, str]:
    """Ask Lever for the Hired archive reasons; return (worked, message for the user)."""
    try:
        LeverClient.for_integration(integration_id).get_archive_reasons("hired")
    except LeverAuthorisationError as exc:
        return False, f"Connection failed. {exc}"
    except LeverTransientError as exc:
        log.warning("integration %s: connection test failed (%s)", integration_id, exc.detail)
        return False, (
            f"Connection failed: {exc.final_message} Try again in a few minutes; if it keeps "
            "failing, check Lever's status page and that this server can reach Lever."
        )
    except LeverError as exc:
        return False, f"Connection failed: {exc}"
    return True, "Connection OK: Lever answered and Cezanne HR can read your Lever data."
