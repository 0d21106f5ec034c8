"""Word-prefix, accent-insensitive search for every picker, and the word tables it reads.

Register a model once with the columns its picker searches (`register`); from then on every
flush that adds a row or changes one of those columns rewrites the row's words, and
`search_by_words` finds rows where each typed word starts some word of the row. Rows written
with a bulk Core INSERT skip the ORM: call `rebuild_words` after those.
"""

import functools
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
)

from lever_cezanne.core.words import words_of
from lever_cezanne.extensions import db
from lever_cezanne.models.search_words import ROW_WORDS_MAX_BYTES


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


def is_searched(model: type) -> bool:
    """Tell whether model's words are kept (after every flush) for searches."""
    return model in _REGISTRY


def _escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def row_words_of(words: list[str]) -> str | None:
    """Return the words as row_words keeps them (" widget ireland ltd"), or None if too long."""
    joined = "".join(f" {word}" for word in words)
    return joined if len(joined.encode()) <= ROW_WORDS_MAX_BYTES else None


def _word_order(word_column):
    """Order as the text_pattern_ops index is sorted, so PostgreSQL stops reading at the limit."""
    if db.engine.dialect.name == "postgresql":
        return text(f"{word_column.table.name}.{word_column.name} USING ~<~")
    return word_column


# A typed word matching at most RARE rows is read whole; beyond that it is "common".
RARE = 1000

# The statements below are built once per word table and number of typed words, their values
# bound at execution: building SQLAlchemy expressions costs more than running them here.


@functools.lru_cache(maxsize=64)
def _counts_statement(word_model, n: int):
    """Count the rows matching each of n prefixes (ws_prefix_0 ...), up to ws_cap each."""
    return select(
        *(
            select(func.count())
            .select_from(
                select(1)
                .where(word_model.word.like(bindparam(f"ws_prefix_{i}"), escape="\\"))
                .limit(bindparam("ws_cap", type_=Integer))
                .subquery()
            )
            .scalar_subquery()
            for i in range(n)
        )
    )


def _counts(word_model, typed: list[str]) -> dict[str, int]:
    """Count the rows matching each typed word, up to RARE + 1: index-only scans, one statement."""
    values = {f"ws_prefix_{i}": f"{_escaped(word)}%" for i, word in enumerate(typed)}
    statement = _counts_statement(word_model, len(typed))
    counts = db.session.execute(statement, {**values, "ws_cap": RARE + 1}).one()
    return dict(zip(typed, counts, strict=True))


def _lead(word_model, typed: list[str]) -> str:
    """Return the typed word whose index range to walk: the rarest, else the longest.

    Each index entry read costs the same, so the walk should read as few as it can: a rare word
    is read whole ("o zzz": "zzz", never the 20,000 rows of "o"); when every word is common, the
    longest is the likeliest to be the rarest ("olivia s": "olivia").
    """
    if len(typed) == 1:
        return typed[0]
    counts = _counts(word_model, typed)
    return min(typed, key=lambda word: (counts[word], -len(word)))


@functools.lru_cache(maxsize=64)
def _also_matching(word_model, i: int):
    """A row whose lead-word entry is read also has a word starting the i-th other typed word.

    row_words answers it from the index entry (ws_row_words_i: "% abc%"); a row too long for
    row_words (NULL) is checked against its word rows instead (ws_word_i: "abc%").
    """
    table = word_model.__table__
    other = table.alias(f"{table.name}_{i}")
    owner = word_model.OWNER
    in_word_rows = (
        select(1)
        .where(
            other.c[owner] == table.c[owner],
            other.c.word.like(bindparam(f"ws_word_{i}"), escape="\\"),
        )
        .exists()
    )
    return or_(
        table.c.row_words.like(bindparam(f"ws_row_words_{i}"), escape="\\"),
        and_(table.c.row_words.is_(None), in_word_rows),
    )


def search_by_words(base, model: type, q: str, limit: int) -> list:
    """Return up to `limit` rows of `base` (a select of model) matching every word typed in q.

    One typed word, the lead, walks the word index in (word, owner) order and stops at the
    limit; the other words are checked on each index entry read (its row_words), so only rows
    matching every word are read from model's table, where base's conditions are checked. A row
    can match the lead more than once ("smith" and "smith12"): a few extra rows are read and
    duplicates dropped.
    """
    typed = words_of(q)
    if not typed:
        return []
    index = _REGISTRY[model]
    word_model = index.word_model
    lead = _lead(word_model, typed)
    others = [word for word in typed if word != lead]
    values = {"ws_lead": f"{_escaped(lead)}%"}
    for i, word in enumerate(others):
        values |= {
            f"ws_word_{i}": f"{_escaped(word)}%",
            f"ws_row_words_{i}": f"% {_escaped(word)}%",
        }
    query = base.join(word_model, index.owner == model.id).where(
        word_model.word.like(bindparam("ws_lead"), escape="\\"),
        *(_also_matching(word_model, i) for i in range(len(others))),
    )
    query = query.order_by(_word_order(word_model.__table__.c.word), index.owner).limit(limit * 3)
    return list(dict.fromkeys(db.session.scalars(query, values)))[:limit]


def _rows(index: WordIndex, words: list[str], owner_id: int) -> list[dict]:
    row_words = row_words_of(words)
    owner = index.word_model.OWNER
    return [{owner: owner_id, "word": word, "row_words": row_words} for word in words]


def _write_words(connection, index: WordIndex, rows: list) -> None:
    if not rows:
        return
    connection.execute(delete(index.word_model).where(index.owner.in_([r.id for r in rows])))
    values = [
        value
        for row in rows
        for value in _rows(index, words_of(*(getattr(row, c) for c in index.columns)), row.id)
    ]
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
        values = [value for row in chunk for value in _rows(index, words_of(*row[1:]), row[0])]
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
