"""The company picker's JSON search endpoint."""

from flask import jsonify, request

from lever_cezanne.hr import bp
from lever_cezanne.hr import search as company_search

MAX_QUERY_LENGTH = 100


@bp.route("/search/companies")
def search_companies():
    """Return up to 20 active companies whose code or name starts with ?q=, as picker JSON."""
    q = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    results = [company_search.company_result(c) for c in company_search.search_companies(q)]
    response = jsonify(results=results)
    response.headers["Cache-Control"] = "no-store"
    return response
