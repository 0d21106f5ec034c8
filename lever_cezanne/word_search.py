"""Word-prefix, accent-insensitive search for every picker, and the word tables it reads.

Register a model once with the columns its picker searches (`register`); from then on every
flush that adds a row or changes one of those columns rewrites the row's words, and
`search_by_words` finds rows where each typed word starts some word of the row. Rows written
with a bulk Core INSERT skip the ORM: call `rebuild_words` after those.
"""

import re
import unicodedata
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import delete, event, func, insert, inspect, literal_column, select, text
from sqlalchemy.orm import aliased

from lever_cezanne.extensions import db
from lever_cezanne.models.search_words import WORD_MAX

_WORD = re.compile(r"\w+")
# Letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"}
)


@dataclass(frozen=True)
class WordIndex:
    word_model: type
    columns: tuple[str, ...]

    @property
    def owner(self):
        return getattr(self.word_model, self.word_model.OWNER)


_REGISTRY: dict[type, WordIndex] = {}


def register(model: type, word_model: type, columns: tuple[str, ...]) -> None:
    """Keep word_model filled with the words of model's columns (idempotent)."""
    _REGISTRY[model] = WordIndex(word_model, columns)


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


def _like_prefix(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%"


def _word_order(word_column):
    """Order as the text_pattern_ops index is sorted, so PostgreSQL stops reading at the limit."""
    if db.engine.dialect.name == "postgresql":
        return text(f"{word_column.table.name}.{word_column.name} USING ~<~")
    return word_column


# A typed word matching more rows than this is "common": checking it row by row stops early.
COMMON = 10_000


def _matches(word_model, word: str) -> int:
    """Count the rows matching a typed word, up to COMMON + 1 (an index-only scan)."""
    hits = select(1).where(word_model.word.like(_like_prefix(word), escape="\\"))
    return db.session.scalar(select(func.count()).select_from(hits.limit(COMMON + 1).subquery()))


def _also_matching(query, model: type, word_model, word: str, common: bool):
    alias = aliased(word_model)
    check = select(1).where(
        getattr(alias, word_model.OWNER) == model.id,
        alias.word.like(_like_prefix(word), escape="\\"),
    )
    if common:
        # OFFSET 0 keeps a common word a per-row check of the few rows the walk reads; as a
        # semi join PostgreSQL would first read every row it matches ("priya p" with 100,000
        # users: 38 ms, against 0.8 ms). A rare word is best read whole, as a semi join.
        check = check.offset(literal_column("0"))
    return query.where(check.exists())


def search_by_words(base, model: type, q: str, limit: int) -> list:
    """Return up to `limit` rows of `base` (a select of model) matching every word typed in q.

    The rarest typed word walks the word index in (word, owner) order and stops at the limit;
    the other words are checked against the rows it finds. A row can match the walked word more
    than once ("smith" and "smith12"), so a few extra ids are read, duplicates dropped, and only
    the rows kept are loaded.
    """
    typed = words_of(q)
    if not typed:
        return []
    index = _REGISTRY[model]
    word_model = index.word_model
    counts = {word: _matches(word_model, word) for word in typed} if len(typed) > 1 else {}
    lead = min(typed, key=lambda word: (counts.get(word, 0), -len(word)))
    query = (
        base.with_only_columns(index.owner)
        .select_from(model)
        .join(word_model, index.owner == model.id)
        .where(word_model.word.like(_like_prefix(lead), escape="\\"))
    )
    for other in typed:
        if other != lead:
            query = _also_matching(query, model, word_model, other, counts[other] > COMMON)
    query = query.order_by(_word_order(word_model.__table__.c.word), index.owner).limit(limit * 3)
    ids = list(dict.fromkeys(db.session.scalars(query)))[:limit]
    if not ids:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(ids))))


def _rows(index: WordIndex, row) -> list[dict]:
    values = [getattr(row, column) for column in index.columns]
    return [{index.word_model.OWNER: row.id, "word": word} for word in words_of(*values)]


def _write_words(connection, index: WordIndex, rows: list) -> None:
    if not rows:
        return
    connection.execute(delete(index.word_model).where(index.owner.in_([r.id for r in rows])))
    values = [value for row in rows for value in _rows(index, row)]
    if values:
        connection.execute(insert(index.word_model), values)


def _changed(row, columns: tuple[str, ...]) -> bool:
    state = inspect(row)
    return any(state.attrs[column].history.has_changes() for column in columns)


def _after_flush(session, _context) -> None:
    # The session's new/dirty sets still hold their pre-flush state here, and the new rows have
    # their ids: rewrite the words of rows that appeared or whose searched columns changed.
    for model, index in _REGISTRY.items():
        rows = [row for row in session.new if isinstance(row, model)]
        rows += [
            row for row in session.dirty if isinstance(row, model) and _changed(row, index.columns)
        ]
        _write_words(session.connection(), index, rows)


def rebuild_words(model: type, batch: int = 1000) -> None:
    """Rewrite the word table of model from every row (after bulk inserts that skip the ORM)."""
    index = _REGISTRY[model]
    connection = db.session.connection()
    connection.execute(delete(index.word_model))
    columns = [getattr(model, column) for column in index.columns]
    result = connection.execute(select(model.id, *columns).order_by(model.id))
    while chunk := result.fetchmany(batch):
        values = [
            {index.word_model.OWNER: row[0], "word": word}
            for row in chunk
            for word in words_of(*row[1:])
        ]
        if values:
            connection.execute(insert(index.word_model), values)


def init_app(app: Flask) -> None:
    """Register the searchable models and keep their word tables in step on every flush."""
    from lever_cezanne.models import Company, User
    from lever_cezanne.models.search_words import CompanyWord, UserWord

    register(Company, CompanyWord, ("code", "name"))
    register(User, UserWord, ("display_name", "username", "email"))
    if not event.contains(db.session, "after_flush", _after_flush):
        event.listen(db.session, "after_flush", _after_flush)
