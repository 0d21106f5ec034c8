"""The OAuth scopes an integration needs, which of them Lever granted, and what is missing.

Only the scopes the integration's options need are requested: the hire itself (opportunities,
offers, archive reasons, users, and a refresh token), its Documents (offers for the signed
offer letter, resumes), and notes:write:admin only when "Tell Lever when the hire is in Cezanne
HR" is on. Lever's write scopes include the matching read scope.
"""

HIRES = (
    "offline_access",
    "opportunities:read:admin",
    "offers:read:admin",
    "archive_reasons:read:admin",
    "users:read:admin",
)
OFFER_LETTER = "offers:read:admin"
RESUMES = "resumes:read:admin"
NOTES = "notes:write:admin"
DOCUMENTS = (OFFER_LETTER, RESUMES)
REAUTHORISE_FOR_MORE = "Re-authorise to allow documents and notes"


def needed(write_back_notes: bool) -> tuple[str, ...]:
    """Return the scopes to request for an integration with these options."""
    scopes = [*HIRES, RESUMES]
    if write_back_notes:
        scopes.append(NOTES)
    return tuple(scopes)


def parse(granted: str | None) -> set[str]:
    """Read a space-separated scope string (as Lever's token endpoint returns it)."""
    return set((granted or "").split())


def grants(granted: set[str], scope: str) -> bool:
    """Tell whether granted scopes allow one (a write scope includes its read scope)."""
    return scope in granted or scope.replace(":read:", ":write:") in granted


def missing(integration) -> list[str]:
    """Return the needed scopes an authorised integration was not granted (none if unknown)."""
    if integration.granted_scopes is None:
        return []
    granted = parse(integration.granted_scopes)
    return [s for s in needed(integration.write_back_notes) if not grants(granted, s)]
