"""New Starter processes: the list says which one the integration would use right now."""

from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import select

from lever_cezanne.models import ProcessDefinition

DAY = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _flash(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _text(client.get(response.headers["Location"]))


def test_no_active_process_warns_about_errors(client, admin, login_as, make_process):
    make_process("Switched off", active=False)
    login_as(admin)

    html = _text(client.get("/admin/processes"))

    assert "No New Starter process is active" in html
    assert "it will log an Error for every hire until you activate one" in html


def test_page_names_the_process_the_integration_uses(client, admin, login_as, make_process):
    make_process("Without", "without_absences", created_at=DAY + timedelta(days=3))
    make_process("With, older", "with_absences", created_at=DAY)
    make_process("With, newer", "with_absences", created_at=DAY + timedelta(days=1))
    login_as(admin)

    html = _text(client.get("/admin/processes"))

    assert "The Lever integration will use “With, newer” (Enter a New Starter (With" in html
    assert html.count("Used by the integration") == 1
    assert "01 Feb 2026 12:00" in html  # Europe/London in winter is UTC


def test_create_and_edit_a_process(db, client, admin, login_as):
    login_as(admin)

    created = client.post(
        "/admin/processes/new",
        data={
            "name": "Enter a New Starter (Without Absences)",
            "type": "without_absences",
            "active": "y",
        },
    )
    assert "created" in _flash(client, created)
    definition = db.session.scalar(select(ProcessDefinition))
    edited = client.post(
        f"/admin/processes/{definition.id}/edit",
        data={"name": "Enter a New Starter", "type": "with_absences"},
    )

    assert "Saved the changes" in _flash(client, edited)
    db.session.refresh(definition)
    assert (definition.name, definition.type, definition.active) == (
        "Enter a New Starter",
        "with_absences",
        False,
    )


def test_process_form_validation(client, admin, login_as):
    login_as(admin)
    html = _text(client.post("/admin/processes/new", data={"name": " ", "type": "sometimes"}))
    assert "Enter a name." in html and "Choose With Absences or Without Absences." in html


def test_deactivating_moves_the_integration_to_the_next_process(
    client, admin, login_as, make_process
):
    make_process("Fallback", "without_absences", created_at=DAY)
    preferred = make_process("Preferred", "with_absences", created_at=DAY)
    login_as(admin)

    page = _flash(client, client.post(f"/admin/processes/{preferred.id}/deactivate"))

    assert "“Preferred” is inactive" in page
    assert "The Lever integration will use “Fallback”" in page
    page = _flash(client, client.post(f"/admin/processes/{preferred.id}/activate"))
    assert "The Lever integration will use “Preferred”" in page
