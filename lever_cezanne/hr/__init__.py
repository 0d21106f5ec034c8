"""People, Employment Details and New Starter tasks: every signed-in HR professional."""

from flask import Blueprint

from lever_cezanne.auth.guards import require_login

bp = Blueprint("hr", __name__)
bp.before_request(require_login)

from lever_cezanne.hr import (  # noqa: E402, F401
    document_views,
    filters,
    notification_views,
    pending_views,
    search_views,
    task_edit_views,
    task_flow_views,
    task_views,
    views,
)
