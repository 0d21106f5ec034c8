"""The user picker's JSON search endpoint."""

from flask import jsonify, request

from lever_cezanne.admin import bp
from lever_cezanne.admin import search as user_search
from lever_cezanne.hr.search_views import MAX_QUERY_LENGTH


@bp.route("/search/users")
def search_users():
    """Return up to 20 active HR Professionals matching ?q= by name, username or e-mail."""
    q = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    results = [user_search.user_result(u) for u in user_search.search_hr_professionals(q)]
    response = jsonify(results=results)
    response.headers["Cache-Control"] = "no-store"
    return response
