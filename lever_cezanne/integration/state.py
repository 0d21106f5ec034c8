"""An integration's state (with why) and the warnings its settings deserve, as they are now.

`setting_warnings(integration)` reads only the integration's settings and the records they point
to, never the last failure: a setting that will make the next hire fail is flagged before any hire
arrives. `integration_state(integration, activity)` adds what the app has seen (webhooks, open
errors) and picks one of the five states the health view, the list and the Details page show.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app, has_request_context, url_for
from sqlalchemy import exists, select

from lever_cezanne.core.text import counted
from lever_cezanne.extensions import db
from lever_cezanne.lever import scopes as lever_scopes
from lever_cezanne.models import LeverIntegration, ProcessDefinition
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    AUTH_AUTHORISED,
    AUTH_NEEDS_REAUTHORISATION,
    AUTH_NOT_AUTHORISED,
)
from lever_cezanne.models.org import ROLES

# Lever: "Refresh tokens will expire after one year or after 90 days of inactivity."
REFRESH_TOKEN_LIFETIME = timedelta(days=365)
REFRESH_TOKEN_IDLE_LIMIT = timedelta(days=90)
EXPIRY_WARNING = timedelta(days=14)
SILENCE_DAYS = 3  # lever_cezanne.integration.activity.SILENCE


class State(StrEnum):
    HEALTHY = "healthy"
    NEEDS_ATTENTION = "needs_attention"
    NEEDS_REAUTHORISATION = "needs_reauthorisation"
    PAUSED = "paused"
    WAITING_FOR_FIRST_WEBHOOK = "waiting_for_first_webhook"


LABELS = {
    State.HEALTHY: ("Healthy", "badge-ok"),
    State.NEEDS_ATTENTION: ("Needs attention", "badge-warning"),
    State.NEEDS_REAUTHORISATION: ("Needs re-authorisation", "badge-error"),
    State.PAUSED: ("Paused", "badge-muted"),
    State.WAITING_FOR_FIRST_WEBHOOK: ("Waiting for first webhook", "badge-info"),
}


class WarningCode(StrEnum):
    COMPANY_UNUSABLE = "company_unusable"
    ADMINISTRATOR_UNUSABLE = "administrator_unusable"
    NO_ACTIVE_PROCESS = "no_active_process"
    AUTHORISATION_EXPIRING = "authorisation_expiring"
    REFRESH_TOKEN_IDLE = "refresh_token_idle"  # noqa: S105 - a warning code, not a secret
    WEBHOOK_SILENT = "webhook_silent"
    SCOPES_MISSING = "scopes_missing"


# Warnings whose cause makes the next hire fail (the rest only will, later, if nobody acts).
HIRE_FAILING = frozenset(
    {
        WarningCode.COMPANY_UNUSABLE,
        WarningCode.ADMINISTRATOR_UNUSABLE,
        WarningCode.NO_ACTIVE_PROCESS,
    }
)


@dataclass(frozen=True)
class SettingWarning:
    """A setting that makes hires fail, or soon will: what is wrong and where to fix it."""

    code: WarningCode
    message: str
    fix_url: str
    fix_label: str

    @property
    def makes_hires_fail(self) -> bool:
        return self.code in HIRE_FAILING


@dataclass(frozen=True)
class Activity:
    """What the app has seen of an integration, for its state."""

    last_webhook_at: datetime | None = None
    open_errors: int = 0
    held: int = 0
    # Hires the catch-up sync found in the last days while no webhook arrived in them.
    found_while_silent: int = 0


@dataclass(frozen=True)
class IntegrationState:
    state: State
    why: str

    @property
    def label(self) -> str:
        return LABELS[self.state][0]

    @property
    def badge(self) -> str:
        return LABELS[self.state][1]


def _path(endpoint: str, anchor: str = "", **values) -> str:
    """Build a path to a page, in a request or not (a background job, the CLI)."""
    if has_request_context():
        return url_for(endpoint, _anchor=anchor or None, **values)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{path}#{anchor}" if anchor else path


def _details_url(integration: LeverIntegration, anchor: str) -> str:
    return _path("integration_setup.integration_edit", anchor, integration_id=integration.id)


def _company_warning(integration: LeverIntegration) -> SettingWarning | None:
    company = integration.default_company
    if company is not None and company.can_employ:
        return None
    if company is None:
        problem = "No New Hire Default Company is set"
    else:
        how = "deleted" if company.deleted_at is not None else "inactive"
        problem = f"The New Hire Default Company {company.code} is {how}"
    return SettingWarning(
        WarningCode.COMPANY_UNUSABLE,
        f"{problem}: new hires get no Employment Details. Choose another company.",
        _details_url(integration, "company_code"),
        "Choose another company",
    )


def _administrator_warning(integration: LeverIntegration) -> SettingWarning | None:
    user = integration.admin_user
    if user is not None and user.is_active and user.role in ROLES:
        return None
    if user is None:
        problem = "No New Hire Administrator is set"
    elif user.deleted_at is not None:
        problem = f"The New Hire Administrator {user.display_name} has been deleted"
    elif not user.active:
        problem = f"The New Hire Administrator {user.display_name} is inactive"
    else:
        problem = f"The New Hire Administrator {user.display_name} is no longer an HR Professional"
    return SettingWarning(
        WarningCode.ADMINISTRATOR_UNUSABLE,
        f"{problem}: new hires get no New Starter task. Choose an administrator.",
        _details_url(integration, "admin_username"),
        "Choose an administrator",
    )


def _process_warning() -> SettingWarning | None:
    if db.session.scalar(select(exists().where(ProcessDefinition.active.is_(True)))):
        return None
    return SettingWarning(
        WarningCode.NO_ACTIVE_PROCESS,
        "No active New Starter process exists: new hires get no New Starter task. Activate or "
        "add an “Enter a New Starter” process.",
        _path("processes_admin.processes_index"),
        "Open Processes",
    )


def _token_warnings(integration: LeverIntegration, now: datetime) -> list[SettingWarning]:
    if integration.auth_status != AUTH_AUTHORISED or integration.authorised_at is None:
        return []
    warnings = []
    ends = integration.authorised_at + REFRESH_TOKEN_LIFETIME
    if ends - now <= EXPIRY_WARNING:
        warnings.append(
            SettingWarning(
                WarningCode.AUTHORISATION_EXPIRING,
                f"Lever's authorisation ends on {ends:%d %b %Y} (a year after it was given): "
                "re-authorise before then, or hires will fail.",
                _details_url(integration, "connection-heading"),
                "Re-authorise",
            )
        )
    last_used = integration.refresh_token_issued_at or integration.authorised_at
    idle_ends = last_used + REFRESH_TOKEN_IDLE_LIMIT
    if idle_ends - now <= EXPIRY_WARNING:
        warnings.append(
            SettingWarning(
                WarningCode.REFRESH_TOKEN_IDLE,
                f"Lever has not been called for this integration since {last_used:%d %b %Y}, "
                f"and its access lapses after 90 days unused, on {idle_ends:%d %b %Y}. Press "
                "Test connection (it renews the access), or re-authorise.",
                _details_url(integration, "connection-heading"),
                "Test connection",
            )
        )
    return warnings


SCOPE_USES = {
    lever_scopes.OFFER_LETTER: "the signed offer letter",
    lever_scopes.RESUMES: "resumes",
    lever_scopes.NOTES: "notes in Lever",
}


def _scope_warning(integration: LeverIntegration) -> SettingWarning | None:
    """An integration authorised with fewer scopes than its options need keeps working."""
    if integration.auth_status != AUTH_AUTHORISED:
        return None
    missing = lever_scopes.missing(integration)
    if not missing:
        return None
    uses = " and ".join(SCOPE_USES.get(scope, scope) for scope in missing)
    return SettingWarning(
        WarningCode.SCOPES_MISSING,
        f"{lever_scopes.REAUTHORISE_FOR_MORE}: Lever has not allowed {' '.join(missing)}, so "
        f"{uses} cannot be fetched or written. Hires keep working without them.",
        _path("integration_setup.integration_authorise", integration_id=integration.id),
        "Re-authorise",
    )


def setting_warnings(integration: LeverIntegration) -> list[SettingWarning]:
    """Return what is wrong with the integration's settings as they are now, worst first."""
    found = [
        _company_warning(integration),
        _administrator_warning(integration),
        _process_warning(),
    ]
    found.append(_scope_warning(integration))
    return [w for w in found if w] + _token_warnings(integration, utcnow())


def activity_warnings(integration: LeverIntegration, activity: Activity) -> list[SettingWarning]:
    """Warnings from what the app has seen: the catch-up sync keeps finding hires that Lever's
    webhook never brought, so the webhook in Lever is missing, disabled or failing."""
    if not activity.found_while_silent or integration.is_paused:
        return []
    found = activity.found_while_silent
    return [
        SettingWarning(
            WarningCode.WEBHOOK_SILENT,
            f"No webhook has arrived from Lever in {SILENCE_DAYS} days, but the catch-up sync "
            f"found {found} hire{'' if found == 1 else 's'} in that time: check the Candidate "
            "Hired webhook in Lever (on, with this integration's URL and signature token).",
            _details_url(integration, "webhook-heading"),
            "See the webhook URL",
        )
    ]


def integration_state(
    integration: LeverIntegration,
    activity: Activity,
    warnings: list[SettingWarning] | None = None,
) -> IntegrationState:
    """Derive the one state to show, and why, from the settings and what the app has seen."""
    if integration.is_paused:
        waiting = (
            f"{counted(activity.held, 'webhook')} waiting" if activity.held else "nothing waiting"
        )
        return IntegrationState(
            State.PAUSED,
            f"Paused: webhooks are stored and held, not processed ({waiting}). Resume to "
            "process them in order.",
        )
    if integration.auth_status == AUTH_NEEDS_REAUTHORISATION:
        return IntegrationState(
            State.NEEDS_REAUTHORISATION,
            "Lever refused the stored authorisation (access revoked, or it expired): click "
            "Re-authorise, then retry the failed hires.",
        )
    warnings = setting_warnings(integration) if warnings is None else warnings
    reasons = [w.message for w in warnings]
    reasons += [w.message for w in activity_warnings(integration, activity) if w not in warnings]
    if integration.auth_status == AUTH_NOT_AUTHORISED:
        reasons.insert(0, "Lever has not been authorised yet: click Authorise and accept in Lever.")
    if activity.open_errors:
        reasons.append(f"{counted(activity.open_errors, 'open error')} on the Log tab.")
    if reasons:
        return IntegrationState(State.NEEDS_ATTENTION, " ".join(reasons))
    if activity.last_webhook_at is None:
        return IntegrationState(
            State.WAITING_FOR_FIRST_WEBHOOK,
            "Authorised, but no webhook has arrived from Lever yet: check that the Candidate "
            "Hired webhook in Lever uses this integration's webhook URL.",
        )
    return IntegrationState(State.HEALTHY, "Authorised, settings valid and no open errors.")
