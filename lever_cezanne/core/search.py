"""Prefix search: LIKE patterns that the lower(...) indexes answer, and the picker's page size."""

from sqlalchemy import and_, func

PICKER_LIMIT = 20
MAX_NAME_WORDS = 6  # words of a name search looked for; more only narrow an unindexed scan


def prefix_pattern(q: str) -> str:
    """Return a LIKE pattern matching values that start with q (lower-cased, wildcards escaped)."""
    escaped = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def starts_with(column, q: str):
    """Return a prefix match on lower(column), which the lower(...) pattern indexes answer."""
    return func.lower(column).like(prefix_pattern(q), escape="\\")


def has_words_starting(column, words: list[str]):
    """Match a column of folded words (" zoe bright ") holding a word that starts with each of
    `words` (normalised by core.words: "zo bri" finds Zoë Bright). No index answers it."""
    return and_(*(column.like("% " + prefix_pattern(word), escape="\\") for word in words))
