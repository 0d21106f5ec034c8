"""Fixed reference data and the seeded candidates, with deterministic ids."""

import uuid

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://lever-sandbox.local/")
HIRED_REASON_ID = "16308515-dc77-4aa7-b3af-96161b2b4e9b"  # the id used in lever-api.md §4.3
DAY_MS = 86_400_000


def stable_id(kind: str, name: str) -> str:
    """Return the uuid5 for a kind of record and a name, so tests can predict it."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


def opportunity_id(name: str) -> str:
    """Return the seeded opportunity id for a candidate name."""
    return stable_id("opportunity", name)


USERS = [
    {"name": "Sam Super-Admin", "email": "sam.admin@sandbox.example", "role": "super admin"},
    {"name": "Hana Hiring-Manager", "email": "hana.hm@sandbox.example", "role": "admin"},
    {"name": "Ravi Recruiter", "email": "ravi.recruiter@sandbox.example", "role": "team member"},
    {"name": "Dora Departed", "email": "dora@sandbox.example", "role": "team member", "off": True},
]
OWNER_ID = stable_id("user", USERS[2]["email"])
HIRING_MANAGER_EMAIL = USERS[1]["email"]
HIRING_MANAGER_ID = stable_id("user", HIRING_MANAGER_EMAIL)

ARCHIVE_REASONS = [
    {"id": HIRED_REASON_ID, "text": "Hired", "status": "active", "type": "hired"},
    *(
        {
            "id": stable_id("archive_reason", text),
            "text": text,
            "status": status,
            "type": "non-hired",
        }
        for text, status in [
            ("Underqualified", "active"),
            ("Culture Fit", "active"),
            ("Timing", "active"),
            ("Withdrew", "active"),
            ("Offer declined", "active"),
            ("Position filled", "active"),
            ("Unresponsive", "inactive"),
        ]
    ),
]

STAGES = [
    {"id": "lead-new", "text": "New lead"},
    {"id": "applicant-new", "text": "New applicant"},
    {"id": stable_id("stage", "Recruiter Screen"), "text": "Recruiter Screen"},
    {"id": stable_id("stage", "On-Site Interview"), "text": "On-Site Interview"},
    {"id": "offer", "text": "Offer"},
]


def _user_record(user: dict, created_at: int) -> dict:
    """Build a Lever user object."""
    return {
        "id": stable_id("user", user["email"]),
        "name": user["name"],
        "username": user["email"].split("@")[0],
        "email": user["email"],
        "createdAt": created_at,
        "deactivatedAt": created_at + DAY_MS if user.get("off") else None,
        "accessRole": user["role"],
        "photo": None,
        "externalDirectoryId": None,
        "linkedContactIds": [],
        "jobTitle": None,
        "managerId": None,
    }


def users(created_at: int) -> list[dict]:
    """Return the simulator's Lever users."""
    return [_user_record(user, created_at) for user in USERS]


# Each spec: name, emails, phones (a missing "type" key and "type": None are both real),
# location, and an offer: None, or {"status", "start_in_days", "title", "salary", and optionally
# "currency", "interval", "team", "office", "hiring_manager" and "direct_manager" (Lever users'
# e-mails; None leaves the field empty) and "custom" ({name: value} as custom_<name> fields)}.
CANDIDATES = [
    {
        "name": "Mary Anne Elizabeth Smith",
        "emails": ["mary.anne.smith@example.com"],
        "phones": [{"type": "mobile", "value": "+44 7700 900123"}],
        "location": "London, UK",
        "offer": {
            "status": "signed",
            "start_in_days": 28,
            "title": "Payroll Specialist",
            "salary": 42000,
            "team": "Payroll",
            "office": "London",
            "direct_manager": "sam.admin@sandbox.example",
            "custom": {"cost_centre": "CC-100"},
        },
    },
    {
        "name": "Ludwig van der Berg",
        "emails": ["ludwig.vdberg@example.nl"],
        "phones": [{"type": "work", "value": "+31 20 555 0101"}],
        "location": "Amsterdam, Netherlands",
        "offer": {
            "status": "signed",
            "start_in_days": 35,
            "title": "Backend Engineer",
            "salary": 6500,
            "currency": "EUR",
            "interval": "per-month-salary",
            "team": "Engineering",
            "office": "Amsterdam",
        },
    },
    {
        "name": "Maria de la Cruz",
        "emails": ["maria.delacruz@example.es"],
        "phones": [{"type": "home", "value": "+34 91 555 0199"}],
        "location": "Madrid, Spain",
        "offer": {"status": "signed", "start_in_days": 42, "title": "HR Business Partner"},
    },
    {
        "name": 'Robert "Bobby" Tables',
        "emails": ["bobby.tables@example.com"],
        "phones": [{"type": "mobile", "value": "+1 555 010 0199"}],
        "location": "Boston, MA",
        "offer": {"status": "sent", "start_in_days": 30, "title": "Database Administrator"},
    },
    {
        "name": "Madonna",
        "emails": ["madonna@example.com"],
        "phones": [],
        "location": "New York, NY",
        "offer": {"status": "signed", "start_in_days": 21, "title": "Creative Director"},
    },
    {
        "name": "Zoë Łukasiewicz-Çelik",
        "emails": ["zoe.lc@example.pl"],
        "phones": [{"type": "mobile", "value": "+48 600 555 010"}],
        "location": "Kraków, Poland",
        "offer": {"status": "signed", "start_in_days": 49, "title": "Data Analyst"},
    },
    {
        "name": "Søren Ærø",
        "emails": ["soren.aero@example.dk"],
        "phones": [{"type": "work", "value": "+45 32 55 01 01"}],
        "location": "Copenhagen, Denmark",
        "offer": None,
    },
    {
        "name": "Kwame Mensah",
        "emails": [],
        "phones": [{"type": "mobile", "value": "+233 20 555 0142"}],
        "location": "Accra, Ghana",
        "offer": {"status": "signed", "start_in_days": 56, "title": "Field Technician"},
    },
    {
        "name": "Alexandra Okonkwo-Brown",
        "emails": ["alex.ob@example.com", "a.okonkwo@example.org", "alexandra@example.net"],
        "phones": [
            {"type": "work", "value": "+44 20 7946 0001"},
            {"type": "work", "value": "+44 20 7946 0002"},
            {"type": "mobile", "value": "+44 7700 900001"},
            {"type": "mobile", "value": "+44 7700 900002"},
            {"type": "home", "value": "+44 161 496 0001"},
            {"type": "home", "value": "+44 161 496 0002"},
            {"type": "other", "value": "+44 117 496 0001"},
            {"type": "skype", "value": "alex.okonkwo.brown"},
            {"value": "+44 113 496 0001"},
            {"type": None, "value": "+44 113 496 0002"},
        ],
        "location": "Manchester, UK",
        "offer": {"status": "signed", "start_in_days": 14, "title": "Operations Manager"},
    },
    {
        "name": "Chen Wei",
        "emails": ["chen.wei@example.cn"],
        "phones": [{"type": "other", "value": "+86 10 5555 0100"}],
        "location": "Shanghai, China",
        "offer": None,
    },
]
