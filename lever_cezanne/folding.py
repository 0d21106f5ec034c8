"""Fold text for searching: case and accents are ignored, so "Zoe" finds "Zoë"."""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"}
)
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Return text lower-cased (casefold) with its accents removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.translate(_UNDECOMPOSED)


def fold_words(text: str) -> list[str]:
    """Return the folded words of text: letters and digits, split at spaces and punctuation."""
    return _WORD.findall(fold(text))


def words_field(*parts: str | None, limit: int = 600) -> str:
    """Return the folded words of parts as " w1 w2 … ", so LIKE '% pre%' finds a word prefix."""
    words = dict.fromkeys(word for part in parts if part for word in fold_words(part))
    return f" {' '.join(words)} "[:limit]
