"""Users, companies and New Starter processes: Administrators only."""

from flask import Blueprint

from lever_cezanne.auth.guards import require_administrator

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_administrator)

from lever_cezanne.admin import (  # noqa: E402, F401
    company_views,
    job_views,
    lookup_views,
    person_views,
    process_step_views,
    process_views,
    search_views,
    task_views,
    user_views,
)
