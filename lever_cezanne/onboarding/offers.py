"""Read a Lever opportunity's offers: the most recent signed one, with its fields by identifier."""

from dataclasses import dataclass, field

SIGNED = "signed"


@dataclass(frozen=True)
class SignedOffer:
    """A signed offer: its Lever id, when it was created, and its fields by identifier."""

    id: str
    created_at: int
    values: dict = field(default_factory=dict)
    texts: dict = field(default_factory=dict)

    def value(self, identifier: str):
        """Return a field's value, or None when the offer lacks it or left it empty."""
        return self.values.get(identifier)


def _number(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _list(value) -> list:
    """Lever data is untrusted: treat anything that is not a list as empty."""
    return value if isinstance(value, list) else []


def read_offer(offer: dict) -> SignedOffer:
    """Return an offer's id, creation time and fields (entries without an identifier skipped)."""
    values, texts = {}, {}
    for entry in _list(offer.get("fields")):
        identifier = entry.get("identifier") if isinstance(entry, dict) else None
        if not isinstance(identifier, str) or not identifier:
            continue
        values[identifier] = entry.get("value")
        text = entry.get("text")
        texts[identifier] = text if isinstance(text, str) and text else identifier
    offer_id = offer.get("id")
    return SignedOffer(
        id=offer_id if isinstance(offer_id, str) else "",
        created_at=_number(offer.get("createdAt")),
        values=values,
        texts=texts,
    )


def signed_offers(offers: list | None) -> list[SignedOffer]:
    """Return the signed offers, most recent first."""
    signed = [o for o in _list(offers) if isinstance(o, dict) and o.get("status") == SIGNED]
    signed.sort(key=lambda o: _number(o.get("createdAt")), reverse=True)
    return [read_offer(o) for o in signed]


def latest_signed_offer(offers: list | None) -> SignedOffer | None:
    """Return the most recent signed offer, or None when no offer is signed."""
    found = signed_offers(offers)
    return found[0] if found else None


def offer_identifiers(offers: list | None) -> dict[str, str]:
    """Return every field identifier seen in these offers, with Lever's label for it."""
    seen: dict[str, str] = {}
    for offer in _list(offers):
        if isinstance(offer, dict):
            for identifier, text in read_offer(offer).texts.items():
                seen.setdefault(identifier, text)
    return seen
