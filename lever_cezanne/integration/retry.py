"""Whether Retry now can succeed yet; when it cannot, the reason and the fix to offer instead."""

from dataclasses import dataclass

from flask import url_for

from lever_cezanne.integration.state import SettingWarning, WarningCode
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.integration import (
    AUTH_AUTHORISED,
    CAUSE_ADMINISTRATOR,
    CAUSE_COMPANY,
    CAUSE_PROCESS,
)

WARNING_FOR_CAUSE = {
    CAUSE_COMPANY: WarningCode.COMPANY_UNUSABLE,
    CAUSE_ADMINISTRATOR: WarningCode.ADMINISTRATOR_UNUSABLE,
    CAUSE_PROCESS: WarningCode.NO_ACTIVE_PROCESS,
}


@dataclass(frozen=True)
class Blocker:
    """Why a retry cannot succeed yet, and the button that fixes it."""

    reason: str
    fix_label: str
    fix_url: str
    fix_is_post: bool = False  # Re-authorise is a POST button; the others are links


def retry_blocker(
    integration: LeverIntegration, causes: set[str], warnings: list[SettingWarning]
) -> Blocker | None:
    """Return what stops a failed hire with these causes from succeeding now, or None."""
    if integration.is_paused:
        return Blocker(
            "This integration is paused, so nothing is processed: Resume it first.",
            "Resume",
            url_for("integration_setup.integration_resume", integration_id=integration.id),
            fix_is_post=True,
        )
    if integration.auth_status != AUTH_AUTHORISED:
        return Blocker(
            "Lever is not authorised for this integration, so the hire cannot be read from "
            "Lever: re-authorise first, then retry.",
            "Re-authorise",
            url_for("integration_setup.integration_authorise", integration_id=integration.id),
            fix_is_post=True,
        )
    by_code = {w.code: w for w in warnings}
    for cause in sorted(causes):
        warning = by_code.get(WARNING_FOR_CAUSE.get(cause))
        if warning is not None:
            return Blocker(f"{warning.message} Then retry.", warning.fix_label, warning.fix_url)
    return None
