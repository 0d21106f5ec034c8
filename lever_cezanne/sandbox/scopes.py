"""Lever's OAuth scope names (lever-api.md §1.7) and their consent-screen wording."""

READ_ONLY = [
    "applications",
    "archive_reasons",
    "audit_events",
    "diversity_surveys",
    "offers",
    "referrals",
    "resumes",
    "sources",
    "stages",
    "tags",
    "tasks",
]
READ_WRITE = [
    "feedback",
    "feedback_templates",
    "files",
    "forms",
    "form_templates",
    "groups",
    "interviews",
    "notes",
    "opportunities",
    "panels",
    "permissions",
    "postings",
    "requisitions",
    "requisition_fields",
    "roles",
    "users",
    "webhooks",
]
MAX_SCOPES = 20

KNOWN_SCOPES = frozenset(
    ["offline_access", "confidential:access:admin", "uploads:write:admin"]
    + ["contact:read:admin", "contact:write:admin"]
    + ["eeo_responses:read:admin", "eeo_responses_pii:read:admin"]
    + [f"{name}:read:admin" for name in READ_ONLY + READ_WRITE]
    + [f"{name}:write:admin" for name in READ_WRITE]
)

SPECIAL_WORDING = {
    "offline_access": "Stay connected when you are not using the app (a refresh token)",
    "confidential:access:admin": "View and manage confidential data",
    "offers:read:admin": "View all of an opportunity's offers",
    "webhooks:write:admin": "Manage all webhooks",
    "contact:read:admin": "View all contact information",
    "contact:write:admin": "Manage all contact information",
    "uploads:write:admin": "Upload files",
    "eeo_responses_pii:read:admin": "View EEO responses with personal information",
}


def describe(scope: str) -> str:
    """Return the consent-screen sentence for one scope."""
    if scope in SPECIAL_WORDING:
        return SPECIAL_WORDING[scope]
    name, _, access = scope.partition(":")
    words = name.replace("_", " ")
    verb = "Manage" if access.startswith("write") else "View"
    return f"{verb} all {words}"


def unknown_scopes(scopes: list[str]) -> list[str]:
    """Return the requested scopes Lever does not define."""
    return [scope for scope in scopes if scope not in KNOWN_SCOPES]


def grants(granted: set[str], needed: str) -> bool:
    """Tell whether the granted scopes allow a read scope (write implies read)."""
    return needed in granted or needed.replace(":read:", ":write:") in granted
