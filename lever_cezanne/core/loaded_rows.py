"""Rows written by one prebuilt Core statement, kept in the session as a flush would leave them.

A worker creates four rows a hire (the person, their Employment Details, salary and task) and
claims its delivery with an UPDATE that returns the row. The ORM's unit of work, or a statement
returning the entity, cost it more than twice the statement itself; here the statement runs
alone, and the object is attached to the session as loaded: its columns read without a query,
its relationships load as they would after a flush, and a rollback of the session's transaction
takes the inserted object out of the session again, as it would a flushed one.

What a flush would have done and still happens: the mapper's before_insert listeners run, and the
columns' Python defaults are applied. What does not, so RowInsert refuses it: relationships set on
the object (give the foreign keys), after_insert listeners, and the searched models (whose words
are written after a flush).
"""

from functools import cache

from sqlalchemy import RowMapping, event, insert, inspect
from sqlalchemy.orm import Session, make_transient, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from lever_cezanne.extensions import db

_INSERTED = "loaded_rows.inserted"  # session.info: the objects inserted in this transaction


class RowInsert:
    """The INSERT of one model's new rows; `sql` gives columns (by attribute name) as SQL
    expressions (a scalar subquery, say), evaluated by the INSERT and read back with the id."""

    def __init__(self, model: type, **sql):
        from lever_cezanne.core.word_search import is_searched

        self.mapper = mapper = inspect(model)
        if mapper.dispatch.after_insert or is_searched(model):
            raise TypeError(f"{model.__name__} needs the flush: it has after-insert work")
        table = mapper.local_table
        self.relationships = frozenset(mapper.relationships.keys())
        self.columns = []  # (attribute, column, Python default or None, database default?)
        returned = [table.primary_key.columns[0]]
        for prop in mapper.column_attrs:
            column = prop.columns[0]
            if column.primary_key or prop.key in sql:
                continue
            default = column.default
            python = default is not None and (default.is_scalar or default.is_callable)
            database = not python and (default is not None or column.server_default is not None)
            if database:
                returned.append(column)  # the database fills it when it is not given
            self.columns.append((prop.key, column.key, default if python else None, database))
        sql_columns = {mapper.get_property(key).columns[0]: value for key, value in sql.items()}
        returned += list(sql_columns)
        self.returned = [_attribute_of(mapper, column) for column in returned]
        self.statement = (
            insert(table).values({c.key: v for c, v in sql_columns.items()}).returning(*returned)
        )

    def __call__(self, row):
        """INSERT the new object's row in the session's transaction; attach the object as loaded."""
        session = db.session()
        state = inspect(row)
        given = row.__dict__
        if self.relationships.intersection(given):
            raise ValueError("give the foreign keys, not related objects: they are not inserted")
        self.mapper.dispatch.before_insert(self.mapper, session.connection(), state)
        values, defaulted = {}, {}
        for attribute, column, default, database in self.columns:
            if attribute in given:
                values[column] = given[attribute]
            elif database:
                continue  # returned
            elif default is None:
                values[column] = defaulted[attribute] = None
            else:  # SQLAlchemy wraps a default without arguments (utcnow) to take the context
                value = default.arg(None) if default.is_callable else default.arg
                values[column] = defaulted[attribute] = value
        stored = session.execute(self.statement, values).one()
        for attribute, value in defaulted.items():
            set_committed_value(row, attribute, value)
        for attribute, value in zip(self.returned, stored, strict=True):
            set_committed_value(row, attribute, value)
        make_transient_to_detached(row)
        session.add(row)
        session.info.setdefault(_INSERTED, []).append(row)
        return row


def _attribute_of(mapper, column) -> str:
    return mapper.get_property_by_column(column).key


@cache
def _insert_for(model: type) -> RowInsert:
    return RowInsert(model)


def insert_row(row):
    """INSERT a new object's row with its model's prebuilt statement; attach it as loaded."""
    return _insert_for(type(row))(row)


@cache
def _attributes(model: type) -> dict[str, str]:
    mapper = inspect(model)
    return {column.key: _attribute_of(mapper, column) for column in mapper.local_table.columns}


def attach(model: type, row: RowMapping):
    """Return the model's object for a row a Core statement returned (the primary key and any
    columns), as loaded: the one in the session refreshed, else a new one added; columns the row
    lacks load when read. (A statement returning the entity cost a worker about twice as much as
    the Core statement.)"""
    session = db.session()
    mapper = inspect(model)
    key = mapper.identity_key_from_primary_key([row[c.key] for c in mapper.primary_key])
    found = session.identity_map.get(key)
    obj = found if found is not None else model()
    attributes = _attributes(model)
    for column, value in row.items():
        set_committed_value(obj, attributes[column], value)
    if found is None:
        make_transient_to_detached(obj)
        session.add(obj)
    return obj


@event.listens_for(Session, "after_commit")
def _inserted_kept(session, *args) -> None:
    session.info.pop(_INSERTED, None)


@event.listens_for(Session, "after_soft_rollback")
def _inserted_undone(session, previous_transaction) -> None:
    """A rollback of the session's transaction undoes the inserts: their objects leave the
    session, as flushed new objects do (a savepoint's rollback leaves them: none is inserted
    inside one)."""
    if previous_transaction.parent is not None:
        return
    for row in session.info.pop(_INSERTED, ()):
        if row in session:
            session.expunge(row)
            make_transient(row)
