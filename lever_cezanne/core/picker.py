"""The answer every picker's JSON search endpoint gives."""

from collections.abc import Callable, Iterable

from flask import jsonify, request

MAX_QUERY_LENGTH = 100


def picker_response(search: Callable[[str], Iterable], result: Callable[..., dict]):
    """Answer a picker's ?q= with the matches as JSON that browsers do not cache."""
    q = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    response = jsonify(results=[result(row) for row in search(q)])
    response.headers["Cache-Control"] = "no-store"
    return response
