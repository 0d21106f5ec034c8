"""Ids a visitor can type: bounded by the id columns' type, so PostgreSQL never fails on one."""

from werkzeug.routing import IntegerConverter

# The id columns are INTEGER: PostgreSQL refuses (a server error) to compare one with a number
# past 2**31 - 1, so such an id in a URL is a page that does not exist, and in a cursor no cursor.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in every route, refusing (404) a number no id column can hold."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_id_converter(app) -> None:
    """Make `<int:...>` bounded; must run before any route is added."""
    app.url_map.converters["int"] = IdConverter
