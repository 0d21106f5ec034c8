"""New Starter processes: definitions, steps, tasks and pending hires.

The only code that changes a task's status lives here. `bp` serves every signed-in user (their
tasks, pending hires, notifications); `admin_bp` (under /admin, Administrators only) edits
process definitions and lists every task.
"""

from flask import Blueprint

from lever_cezanne.core.guards import require_administrator, require_login

bp = Blueprint("processes", __name__)
bp.before_request(require_login)
admin_bp = Blueprint("processes_admin", __name__, url_prefix="/admin")
admin_bp.before_request(require_administrator)


def init_app(app) -> None:
    """Register the package's blueprints with their views."""
    from lever_cezanne.processes import (  # noqa: F401 - the views attach to the blueprints
        all_task_views,
        definition_views,
        notification_views,
        pending_views,
        step_views,
        task_edit_views,
        task_flow_views,
        task_views,
    )

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
