"""The company picker's JSON search endpoint, and the answer every picker gives."""

from collections.abc import Callable, Iterable

from flask import jsonify, request

from lever_cezanne.hr import bp
from lever_cezanne.hr import search as company_search

MAX_QUERY_LENGTH = 100


def picker_response(search: Callable[[str], Iterable], result: Callable[..., dict]):
    """Answer a picker's ?q= with the matches as JSON that browsers do not cache."""
    q = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    response = jsonify(results=[result(row) for row in search(q)])
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/search/companies")
def search_companies():
    """Return up to 20 active companies whose code or name starts with ?q=, as picker JSON."""
    return picker_response(company_search.search_companies, company_search.company_result)
