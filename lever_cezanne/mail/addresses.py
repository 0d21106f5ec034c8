"""Alert e-mail addresses: parse what an Administrator typed, validate each, store them."""

import re

from email_validator import EmailNotValidError, validate_email

SEPARATORS = re.compile(r"[\s,;]+")
MAX_ADDRESSES = 20


class AddressError(ValueError):
    """One or more addresses are not usable; the message says which and what to do."""


def parse_addresses(typed: str | list[str] | None) -> list[str]:
    """Return the addresses, normalised and without repeats; raise AddressError for a bad one."""
    parts = typed if isinstance(typed, list) else [typed or ""]
    found: dict[str, str] = {}  # lower-cased -> as typed: one mailbox, whatever its case
    for part in parts:
        for raw in SEPARATORS.split(part.strip()):
            if not raw:
                continue
            try:
                address = validate_email(raw, check_deliverability=False).normalized
            except EmailNotValidError as exc:
                raise AddressError(f"“{raw[:80]}” is not an e-mail address: {exc}") from None
            found.setdefault(address.lower(), address)
    if len(found) > MAX_ADDRESSES:
        raise AddressError(f"Enter at most {MAX_ADDRESSES} addresses; use a mailing list for more.")
    return list(found.values())


def stored(addresses: list[str]) -> str | None:
    """Return the column value for the addresses (None when there are none)."""
    return ",".join(addresses) or None


def listed(column: str | None) -> list[str]:
    """Return the addresses kept in an alert_emails column."""
    return [address for address in (column or "").split(",") if address]
