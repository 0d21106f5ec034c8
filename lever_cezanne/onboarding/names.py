"""Split a Lever full name into Cezanne HR's name fields with nameparser."""

from dataclasses import dataclass

from nameparser import HumanName


@dataclass(frozen=True)
class ParsedName:
    first: str
    middle: str | None
    surname: str
    known_as: str
    one_word: bool

    @property
    def full(self) -> str:
        """Full Name and Legal Name: First Name + Surname, or the one-word name itself."""
        return self.first if self.one_word else f"{self.first} {self.surname}"


class NoNameError(ValueError):
    """The candidate has no name in Lever."""


def _clean(value: str) -> str:
    return " ".join(value.split())


def parse_name(full_name: str | None) -> ParsedName:
    """Parse a name: particles stay with the surname, a quoted or bracketed nickname is Known As."""
    name = HumanName(_clean(full_name or ""))
    first, middle, last = _clean(name.first), _clean(name.middle), _clean(name.last)
    nickname = _clean(name.nickname)
    if not first and not last:
        # Only a title ("Dr.") or nothing at all.
        single = _clean(f"{name.title} {name.suffix}")
        if not single:
            raise NoNameError("the candidate has no name")
        first = single
    one_word = not (first and last)
    # One word ("Cher", or "Mr Li" with its title dropped) fills First Name and Surname alike.
    first = first or last
    last = last or first
    return ParsedName(
        first=first,
        middle=middle or None,
        surname=last,
        known_as=nickname or first,
        one_word=one_word,
    )
