"""Words for the pages: a count with its noun in the right number."""


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """Return "1 webhook", "3 webhooks" (or the plural given: "2 people")."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
