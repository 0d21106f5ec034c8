"""Create, change, disconnect and delete Lever integrations. Services flush, never commit."""

import re
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_request_context, request
from sqlalchemy import func, select

from lever_cezanne import crypto
from lever_cezanne.core.validation import Unique, ValidationError, saving_unique
from lever_cezanne.extensions import db
from lever_cezanne.lever.tokens import forget_tokens
from lever_cezanne.models import Company, LeverIntegration, User, WebhookDelivery
from lever_cezanne.models.base import utcnow
from lever_cezanne.models.integration import (
    AUTH_NOT_AUTHORISED,
    HIRE_DATE_OFFER,
    HIRE_DATE_TODAY,
    DeliverySource,
)

SUBDOMAIN_MAX = 63
SIGNATURE_TOKEN_MIN = 16
SUBDOMAIN_PATTERN = re.compile(r"[A-Za-z0-9_-]+")
SUBDOMAIN_RULE = "Use only letters, digits, hyphens (-) and underscores (_), with no spaces."
WEBHOOK_PATH = "/cezannehr/api/v4/Lever/webhook/"
HIRE_DATE_SOURCES = (HIRE_DATE_TODAY, HIRE_DATE_OFFER)


@dataclass
class Details:
    """What the Details form (or the CLI) sets on an integration."""

    subdomain: str
    signature_token: str | None  # None or "" keeps the stored token
    admin_user: User
    default_company: Company
    hire_date_source: str = HIRE_DATE_TODAY
    alert_emails: tuple[str, ...] = ()  # validated by lever_cezanne.mail.addresses
    review_hires: bool = False
    write_back_notes: bool = False


UNIQUE_SUBDOMAIN = Unique(
    "uq_lever_integrations_subdomain_lower",
    "subdomain",
    "Another Lever integration already uses the subdomain '{value}' (in some capitalisation). "
    "Choose a different one, and use it in the webhook URL in Lever.",
)


def subdomain_problem(subdomain: str) -> str | None:
    """Say what is wrong with how a subdomain is written, or None (whether another integration
    has it is the unique index's to say, when saving)."""
    subdomain = subdomain.strip()
    if not subdomain:
        return "Enter the subdomain you put at the end of the webhook URL in Lever."
    if len(subdomain) > SUBDOMAIN_MAX:
        return f"The subdomain can be at most {SUBDOMAIN_MAX} characters."
    if not SUBDOMAIN_PATTERN.fullmatch(subdomain):
        return SUBDOMAIN_RULE
    return None


def signature_token_problem(token: str | None) -> str | None:
    """Say what is wrong with a typed Signature Token, or None (blank: checked by the caller).

    Lever's are 48 characters: a short one is a part, or not the token at all (and its last 4
    characters, shown on the Details page, would give most of it away)."""
    token = (token or "").strip()
    if token and len(token) < SIGNATURE_TOKEN_MIN:
        return (
            "This is too short for a Signature Token (Lever's have 48 characters): copy the "
            "whole token from the Candidate Hired webhook in Lever."
        )
    return None


def _check(integration: LeverIntegration | None, details: Details) -> None:
    problem = subdomain_problem(details.subdomain) or signature_token_problem(
        details.signature_token
    )
    if problem:
        raise ValidationError(problem)
    if integration is None and not (details.signature_token or "").strip():
        raise ValidationError("Enter the Signature Token you copied from the webhook in Lever.")
    if details.hire_date_source not in HIRE_DATE_SOURCES:
        raise ValidationError("Choose where the Hire Date comes from: today or the offer.")
    if not details.admin_user.is_active:
        raise ValidationError(
            f"The user '{details.admin_user.username}' is not active: choose an active HR "
            "Professional as New Hire Administrator."
        )
    if not details.default_company.can_employ:
        raise ValidationError(
            f"The company '{details.default_company.code}' is inactive or deleted: choose an "
            "active company."
        )


def save_details(integration: LeverIntegration | None, details: Details) -> LeverIntegration:
    """Create an integration, or change one; a blank signature token keeps the stored one."""
    _check(integration, details)
    subdomain = details.subdomain.strip()
    with saving_unique(UNIQUE_SUBDOMAIN, subdomain=subdomain):
        if integration is None:
            integration = LeverIntegration()
            db.session.add(integration)
        integration.subdomain = subdomain
        token = (details.signature_token or "").strip()
        if token:
            integration.signature_token_encrypted = crypto.encrypt(token)
            integration.signature_token_last4 = token[-4:]
        integration.admin_user = details.admin_user
        integration.default_company = details.default_company
        integration.hire_date_source = details.hire_date_source
        integration.review_hires = details.review_hires
        integration.write_back_notes = details.write_back_notes
        integration.alert_emails = ",".join(details.alert_emails) or None
    return integration


def webhook_url(subdomain: str) -> str:
    """Return the exact URL to paste into Lever's Candidate Hired webhook."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and has_request_context():
        base = request.host_url
    return f"{(base or '').rstrip('/')}{WEBHOOK_PATH}{subdomain}"


def last_webhook_received(integration_id: int) -> datetime | None:
    """Return when Lever's last Candidate Hired webhook for this integration arrived, if ever."""
    return db.session.scalar(
        select(func.max(WebhookDelivery.received_at)).where(
            WebhookDelivery.integration_id == integration_id,
            WebhookDelivery.source == DeliverySource.WEBHOOK,  # not the catch-up sync's finds
        )
    )


def disconnect(integration: LeverIntegration) -> None:
    """Forget the OAuth tokens: the integration is Not authorised until authorised again."""
    forget_tokens(integration)
    integration.auth_status = AUTH_NOT_AUTHORISED
    integration.authorised_at = None
    integration.authorised_by = None
    db.session.flush()


def delete_integration(integration: LeverIntegration) -> None:
    """Soft-delete: the log stays; the webhook stops accepting and the subdomain is free again."""
    forget_tokens(integration)
    integration.auth_status = AUTH_NOT_AUTHORISED
    integration.deleted_at = utcnow()
    db.session.flush()
