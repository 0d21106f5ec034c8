"""Words of a text as every search compares them: case-folded, without accents.

Pure text, importing nothing of the app, so models and searches can both use it.
"""

import re
import unicodedata

WORD_MAX = 100  # longer words are cut: the word tables' column length

_WORD = re.compile(r"\w+")
# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"}
)


def normalise(value: str) -> str:
    """Return value case-folded and without accents: "Élodie Ó Súilleabháin" -> "elodie o ..."."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_UNDECOMPOSED)


def words_of(*values: str | None) -> list[str]:
    """Return the distinct normalised words of the values, in order of first appearance."""
    seen: dict[str, None] = {}
    for value in values:
        for word in _WORD.findall(normalise(value or "")):
            seen.setdefault(word[:WORD_MAX], None)
    return list(seen)
