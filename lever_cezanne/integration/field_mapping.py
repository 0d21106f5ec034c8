"""The Field mapping tab: which offer fields feed which Cezanne HR fields, and a Preview.

Services flush, never commit. The Preview reads Lever and the database and writes nothing.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import update

from lever_cezanne.core.dates import today_in
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.extensions import db
from lever_cezanne.lever import users
from lever_cezanne.lever.client import LeverClient
from lever_cezanne.models import LeverIntegration
from lever_cezanne.models.integration import HIRE_DATE_OFFER
from lever_cezanne.onboarding.job import (
    DEFAULT_FIELD_MAP,
    TARGET_LABELS,
    JobDetails,
    field_map_for,
    map_job,
)
from lever_cezanne.onboarding.offers import latest_signed_offer, offer_identifiers

IDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_/.\-]{0,99}$")
MAX_SOURCES = 5
MAX_CACHED = 200
SAMPLE_OPPORTUNITIES = 25  # opportunities whose offers "Fetch from Lever" reads (one page)


def parse_sources(text: str | None) -> list[str]:
    """Split "direct_manager, hiring_manager" into identifiers, in order, lower-cased."""
    return [part.strip().lower() for part in (text or "").split(",") if part.strip()]


def validate_map(raw: dict[str, str]) -> dict[str, list[str]]:
    """Return the map to store (only targets that differ from the defaults), or raise."""
    chosen, errors, used = {}, [], {}
    for target, label in TARGET_LABELS.items():
        sources = parse_sources(raw.get(target))
        bad = [s for s in sources if not IDENTIFIER.match(s)]
        if bad:
            errors.append(
                f"{label}: '{bad[0]}' is not an offer field identifier (use lower-case letters, "
                "digits, _ / . -, e.g. custom_cost_centre)."
            )
        if len(sources) > MAX_SOURCES:
            errors.append(f"{label}: name at most {MAX_SOURCES} offer fields.")
        for source in sources:
            if source in used and used[source] != target:
                errors.append(
                    f"'{source}' is mapped to both {TARGET_LABELS[used[source]]} and {label}: "
                    "an offer field can fill only one Cezanne HR field."
                )
            used.setdefault(source, target)
        if sources and tuple(sources) != DEFAULT_FIELD_MAP[target]:
            chosen[target] = sources
    if errors:
        raise ValidationError(" ".join(errors))
    return chosen


def save_map(integration: LeverIntegration, raw: dict[str, str]) -> list[str]:
    """Store a valid map; return the mapped identifiers never seen in this account's offers."""
    integration.field_map = validate_map(raw)
    db.session.flush()
    seen = set(integration.offer_fields or {}) | {
        source for sources in DEFAULT_FIELD_MAP.values() for source in sources
    }
    return sorted(
        {s for sources in integration.field_map.values() for s in sources if s not in seen}
    )


def remember_offer_fields(integration_id: int, offers: list | None) -> bool:
    """Add the identifiers in these offers to the integration's cache (committed by the caller);
    tell whether there were new ones.

    One UPDATE of a JSON column: concurrent hires may each add theirs; a lost addition comes
    back with the next offer that has it.
    """
    found = offer_identifiers(offers)
    integration = db.session.get(LeverIntegration, integration_id)
    known = dict(integration.offer_fields or {})
    fresh = {k: v for k, v in found.items() if k not in known}
    if not fresh or len(known) >= MAX_CACHED:
        return False
    known.update(list(fresh.items())[: MAX_CACHED - len(known)])
    db.session.execute(
        update(LeverIntegration)
        .where(LeverIntegration.id == integration_id)
        .values(offer_fields=known)
        .execution_options(synchronize_session="fetch")
    )
    return True


def fetch_offer_fields(integration: LeverIntegration) -> int:
    """Read the offers of the first opportunities Lever lists; return how many fields are known."""
    client = LeverClient.for_integration(integration.id)
    envelope = client.get("/opportunities", {"limit": SAMPLE_OPPORTUNITIES})
    opportunities = envelope.get("data") if isinstance(envelope.get("data"), list) else []
    for opportunity in opportunities:
        if isinstance(opportunity, dict) and isinstance(opportunity.get("id"), str):
            remember_offer_fields(integration.id, client.get_offers(opportunity["id"]))
    db.session.refresh(integration)
    return len(integration.offer_fields or {})


@dataclass
class Preview:
    """What a hire of this opportunity would create, computed without writing anything."""

    opportunity_id: str
    hired: bool
    person: dict = field(default_factory=dict)
    hire_date: date | None = None
    offer_id: str | None = None
    job: JobDetails = field(default_factory=JobDetails)
    warnings: list[str] = field(default_factory=list)


def preview_hire(integration: LeverIntegration, opportunity_id: str) -> Preview:
    """Read the opportunity and its offers from Lever and map them with this integration's map."""
    from lever_cezanne.lever.hired import is_hired
    from lever_cezanne.onboarding.mapping import map_new_starter

    client = LeverClient.for_integration(integration.id)
    opportunity = client.get_opportunity(opportunity_id)
    offers = client.get_offers(opportunity_id)
    sources = field_map_for(integration.field_map)
    timezone = current_app.config["TIMEZONE"]
    starter = map_new_starter(
        opportunity,
        offers,
        today=today_in(timezone),
        timezone=timezone,
        use_offer=integration.hire_date_source == HIRE_DATE_OFFER,
        start_fields=sources["hire_date"],
    )
    offer = latest_signed_offer(offers)
    job = map_job(offer, users.resolver(client), sources)
    warnings = [
        *starter.warnings,
        *([starter.hire_date_warning] if starter.hire_date_warning else []),
    ]
    return Preview(
        opportunity_id=opportunity_id,
        hired=is_hired(client, integration.id, opportunity),
        person=starter.person,
        hire_date=starter.hire_date,
        offer_id=offer.id if offer else None,
        job=job,
        warnings=[*warnings, *job.warnings],
    )
