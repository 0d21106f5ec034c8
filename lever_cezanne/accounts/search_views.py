"""The user picker's JSON search endpoint."""

from lever_cezanne.accounts import admin_bp
from lever_cezanne.accounts import search as user_search
from lever_cezanne.core.picker import picker_response


@admin_bp.route("/search/users")
def search_users():
    """Return up to 20 active HR Professionals matching ?q= by name, username or e-mail."""
    return picker_response(user_search.search_hr_professionals, user_search.user_result)
