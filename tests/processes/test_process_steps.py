"""Editing a process's checklist on the Processes page: add, rename, reorder, required."""

from html import unescape

from sqlalchemy import select

from lever_cezanne.models import ProcessStep


def _names(db, definition) -> list[tuple[str, bool]]:
    db.session.expire_all()
    steps = db.session.scalars(
        select(ProcessStep)
        .where(ProcessStep.definition_id == definition.id)
        .order_by(ProcessStep.position)
    )
    return [(s.name, s.required) for s in steps]


def test_processes_page_links_to_the_steps(client, admin, login_as, process):
    login_as(admin)
    html = client.get("/admin/processes").get_data(as_text=True)
    assert f'href="/admin/processes/{process.id}/steps"' in html
    steps = unescape(client.get(f"/admin/processes/{process.id}/steps").get_data(as_text=True))
    assert "Replace the placeholder Date of Birth" in steps
    assert "Checked automatically: the Date of Birth is no longer the hire day." in steps


def test_add_rename_reorder_and_make_optional(db, client, admin, login_as, process):
    login_as(admin)
    base = f"/admin/processes/{process.id}/steps"

    response = client.post(base, data={"new-name": "  Order a laptop  ", "new-required": "y"})
    assert response.status_code == 302
    assert _names(db, process)[-1] == ("Order a laptop", True)

    laptop = db.session.scalar(select(ProcessStep).where(ProcessStep.name == "Order a laptop"))
    prefix = f"step-{laptop.id}"
    client.post(f"{base}/{laptop.id}", data={f"{prefix}-name": "Order a laptop and phone"})
    assert _names(db, process)[-1] == ("Order a laptop and phone", False)

    client.post(f"{base}/{laptop.id}/up")
    names = [name for name, _ in _names(db, process)]
    assert names[-2:] == ["Order a laptop and phone", "Upload right-to-work documents"]

    first = db.session.scalar(
        select(ProcessStep).where(ProcessStep.name == "Confirm personal details")
    )
    refused = client.post(f"{base}/{first.id}/up")
    page = unescape(client.get(refused.headers["Location"]).get_data(as_text=True))
    assert "is already at that end of the checklist" in page

    client.post(f"{base}/{laptop.id}/remove")
    assert "Order a laptop and phone" not in [n for n, _ in _names(db, process)]


def test_a_blank_or_overlong_step_is_refused(db, client, admin, login_as, process):
    login_as(admin)
    base = f"/admin/processes/{process.id}/steps"
    response = client.post(base, data={"new-name": "   "})
    assert response.status_code == 422
    assert "Enter what the step asks for." in response.get_data(as_text=True)
    response = client.post(base, data={"new-name": "x" * 201})
    assert response.status_code == 422
    assert len(_names(db, process)) == 6


def test_a_step_of_another_process_is_404(db, client, admin, login_as, process, make_process):
    other = make_process(name="Other")
    step = db.session.scalar(select(ProcessStep).where(ProcessStep.definition_id == other.id))
    login_as(admin)
    assert client.post(f"/admin/processes/{process.id}/steps/{step.id}/up").status_code == 404
