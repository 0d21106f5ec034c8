"""Insert one new ORM object with a prebuilt Core INSERT, and keep it as a flush would leave it;
or attach a row a Core statement returned as a loaded object.

A worker creates four rows a hire (the person, their Employment Details, salary and task). The
ORM's unit of work cost it more than twice the INSERT itself; this runs the INSERT alone, then
attaches the object to the session as loaded: its columns read without a query, and its
relationships load as they would after a flush.

What the flush would have done and still happens: the mapper's before_insert listeners run, and
the columns' Python defaults are applied. What does not: relationship attributes set on the
object are not synchronised to foreign keys (give the ids), and after_insert / after_flush
listeners do not run, so a model that has them (the searched models) must keep the flush.
"""

from functools import cache

from sqlalchemy import RowMapping, insert, inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from lever_cezanne.extensions import db


class RowInsert:
    """The INSERT of one model's new rows; `sql` gives columns as SQL expressions (a scalar
    subquery, say), evaluated by the INSERT and read back with the new id."""

    def __init__(self, model: type, **sql):
        self.mapper = inspect(model)
        table = self.mapper.local_table
        (self.key,) = (prop.key for prop in self.mapper.column_attrs if prop.columns[0].primary_key)
        self.columns = []  # (attribute, column, Python default)
        returned = [table.primary_key.columns[0]]
        for prop in self.mapper.column_attrs:
            column = prop.columns[0]
            if column.primary_key or prop.key in sql:
                continue
            default = column.default
            if default is not None and (default.is_scalar or default.is_callable):
                self.columns.append((prop.key, column.key, default))
            elif default is not None or column.server_default is not None:
                returned.append(column)  # the database fills it when it is not given
            else:
                self.columns.append((prop.key, column.key, None))
        returned += [table.c[column] for column in sql]
        self.returned = [column.key for column in returned]
        self.properties = {prop.columns[0].key: prop.key for prop in self.mapper.column_attrs}
        self.statement = insert(table).values(**sql).returning(*returned)

    def __call__(self, row):
        """INSERT the new object's row in the session's transaction; attach the object as loaded."""
        session = db.session()
        self.mapper.dispatch.before_insert(self.mapper, session.connection(), inspect(row))
        given = row.__dict__
        values, defaulted = {}, {}
        for attribute, column, default in self.columns:
            if attribute in given:
                values[column] = given[attribute]
            elif default is None:
                values[column] = defaulted[attribute] = None
            else:
                value = default.arg(None) if default.is_callable else default.arg
                values[column] = defaulted[attribute] = value
        stored = session.execute(self.statement, values).one()
        for attribute, value in defaulted.items():
            set_committed_value(row, attribute, value)
        for column, value in zip(self.returned, stored, strict=True):
            set_committed_value(row, self.properties[column], value)
        make_transient_to_detached(row)
        session.add(row)
        return row


@cache
def _plain(model: type) -> RowInsert:
    return RowInsert(model)


def insert_row(row):
    """INSERT a new object's row with its model's prebuilt statement; attach it as loaded."""
    return _plain(type(row))(row)


def attach(model: type, row: RowMapping):
    """Return the model's object for a whole row a Core statement returned, as loaded: the one in
    the session refreshed, else a new one added. (A statement returning the entity costs a worker
    about twice as much as the Core statement.)"""
    session = db.session()
    mapper = inspect(model)
    key = mapper.identity_key_from_primary_key([row[c.key] for c in mapper.primary_key])
    found = session.identity_map.get(key)
    obj = found if found is not None else model()
    for column, value in row.items():
        set_committed_value(
            obj, mapper.get_property_by_column(mapper.local_table.c[column]).key, value
        )
    if found is None:
        make_transient_to_detached(obj)
        session.add(obj)
    return obj
