"""Users: create, edit, role, deactivate, delete, passwords, and the last Administrator."""

import os
import re
import threading
from html import unescape

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lever_cezanne.accounts import user_services
from lever_cezanne.core.validation import ValidationError
from lever_cezanne.models import User
from lever_cezanne.models.base import utcnow

PASSWORD = "correct-horse-battery"


def _text(response) -> str:
    return unescape(response.get_data(as_text=True))


def _flash(client, response) -> str:
    assert response.status_code == 302, response.status_code
    return _text(client.get(response.headers["Location"]))


def _signed_in(app, user, password=PASSWORD):
    """A second browser signed in as `user`."""
    browser = app.test_client()
    response = browser.post("/auth/login", data={"username": user.username, "password": password})
    assert response.status_code == 302
    return browser


def _still_signed_in(browser) -> bool:
    return browser.get("/people").status_code == 200


def _new_user(**changes) -> dict:
    data = {
        "username": "pshah",
        "display_name": "Priya Shah",
        "email": "priya@example.com",
        "role": "hr",
        "password": "a-long-password",
        "confirm": "a-long-password",
    }
    data.update(changes)
    return data


def test_list_search_and_empty_result(client, admin, hr_user, login_as):
    login_as(admin)
    assert "hr.alex" in _text(client.get("/admin/users"))
    found = _text(client.get("/admin/users?q=alex"))
    assert "hr.alex" in found and ">admin<" not in found
    assert "No user matches" in _text(client.get("/admin/users?q=zzz"))


def test_create_user_who_can_sign_in(app, db, client, admin, login_as):
    login_as(admin)

    response = client.post("/admin/users/new", data=_new_user(username="  pshah "))

    assert "Priya Shah can now sign in as pshah." in _flash(client, response)
    user = db.session.scalar(select(User).where(User.username == "pshah"))
    assert user.role == "hr" and user.email == "priya@example.com"
    assert _still_signed_in(_signed_in(app, user, "a-long-password"))


def test_create_user_validation(db, client, admin, hr_user, login_as):
    login_as(admin)

    taken = _text(client.post("/admin/users/new", data=_new_user(username="HR.ALEX")))
    mismatch = _text(client.post("/admin/users/new", data=_new_user(confirm="different-one")))
    short = _text(
        client.post("/admin/users/new", data=_new_user(password="short", confirm="short"))
    )
    bad = _text(
        client.post("/admin/users/new", data=_new_user(username="bad name", email="nope", role="x"))
    )

    assert "The username 'HR.ALEX' is already taken" in taken
    assert "The two passwords are not the same." in mismatch
    assert "Use at least 8 characters." in short
    assert "Use letters, digits, dots" in bad
    assert "Enter an e-mail address." in bad
    assert "Choose Administrator or HR Professional." in bad
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_edit_user_details_and_role(db, client, admin, hr_user, login_as):
    login_as(admin)
    form = _text(client.get(f"/admin/users/{hr_user.id}/edit"))
    assert 'value="hr.alex"' in form

    response = client.post(
        f"/admin/users/{hr_user.id}/edit",
        data={"username": "alex.m", "display_name": "Alex M", "email": "", "role": "administrator"},
    )

    assert "Saved the changes to Alex M." in _flash(client, response)
    db.session.refresh(hr_user)
    assert (hr_user.username, hr_user.role, hr_user.email) == ("alex.m", "administrator", None)


def test_last_administrator_cannot_demote_themselves(db, client, admin, login_as):
    login_as(admin)

    html = _text(
        client.post(
            f"/admin/users/{admin.id}/edit",
            data={"username": "admin", "display_name": "Dana Admin", "role": "hr"},
        )
    )

    assert "Dana Admin is the last active Administrator" in html
    assert "Make another user an Administrator first." in html
    db.session.refresh(admin)
    assert admin.role == "administrator"


def test_an_administrator_may_step_down_when_another_remains(
    db, client, admin, make_user, login_as
):
    make_user("administrator", username="second")
    login_as(admin)

    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data={"username": "admin", "display_name": "Dana Admin", "role": "hr"},
    )

    assert response.headers["Location"] == "/"
    assert client.get("/admin/users").status_code == 403


def test_inactive_administrators_do_not_count(db, client, admin, make_user, login_as):
    make_user("administrator", username="dormant", active=False)
    make_user("administrator", username="removed", deleted_at=utcnow())
    login_as(admin)

    html = _text(
        client.post(
            f"/admin/users/{admin.id}/edit",
            data={"username": "admin", "display_name": "Dana Admin", "role": "hr"},
        )
    )

    assert "is the last active Administrator" in html


def test_deactivate_signs_the_user_out_and_reactivate(app, db, client, admin, hr_user, login_as):
    browser = _signed_in(app, hr_user)
    login_as(admin)

    page = _flash(client, client.post(f"/admin/users/{hr_user.id}/deactivate"))

    assert "Alex Morgan is deactivated and has been signed out." in page
    assert not _still_signed_in(browser)
    assert _signed_in_fails(app, hr_user)
    assert "can sign in again" in _flash(client, client.post(f"/admin/users/{hr_user.id}/activate"))
    assert _still_signed_in(_signed_in(app, hr_user))


def _signed_in_fails(app, user) -> bool:
    response = app.test_client().post(
        "/auth/login", data={"username": user.username, "password": PASSWORD}
    )
    return response.status_code == 200


def test_nobody_deactivates_or_deletes_their_own_account(db, client, admin, make_user, login_as):
    make_user("administrator", username="second")
    login_as(admin)

    deactivate = _flash(client, client.post(f"/admin/users/{admin.id}/deactivate"))
    delete = _flash(client, client.post(f"/admin/users/{admin.id}/delete"))

    assert "You cannot deactivate your own account" in deactivate
    assert "You cannot delete your own account" in delete
    db.session.refresh(admin)
    assert admin.is_active


def test_the_last_administrator_cannot_be_deactivated_or_deleted(db, admin, make_user):
    other = make_user("administrator", username="other")
    user_services.set_user_active(other, False, actor=admin)
    db.session.commit()

    for action in (
        lambda: user_services.set_user_active(admin, False, actor=other),
        lambda: user_services.delete_user(admin, actor=other),
        lambda: user_services.update_user(admin, "admin", "Dana", None, "hr"),
    ):
        try:
            action()
        except ValidationError as exc:
            assert "last active Administrator" in str(exc)
        else:
            raise AssertionError("the last Administrator lost their rights")


def test_delete_asks_first_then_soft_deletes(app, db, client, admin, hr_user, login_as):
    browser = _signed_in(app, hr_user)
    login_as(admin)

    confirm = _text(client.get(f"/admin/users/{hr_user.id}/delete"))
    assert "Delete Alex Morgan?" in confirm and "deactivate" in confirm
    page = _flash(client, client.post(f"/admin/users/{hr_user.id}/delete"))

    assert "Alex Morgan is deleted." in page and "hr.alex" not in page.split("</h1>", 1)[1]
    db.session.refresh(hr_user)
    assert hr_user.deleted_at is not None and not hr_user.active
    assert not _still_signed_in(browser)
    assert client.get("/admin/search/users?q=alex").get_json() == {"results": []}
    assert client.get(f"/admin/users/{hr_user.id}/edit").status_code == 404


def test_set_password_ends_other_sessions(app, db, client, admin, hr_user, login_as):
    browser = _signed_in(app, hr_user)
    login_as(admin)

    mismatch = _text(
        client.post(
            f"/admin/users/{hr_user.id}/password",
            data={"password": "new-password-1", "confirm": "new-password-2"},
        )
    )
    assert "The two passwords are not the same." in mismatch
    assert _still_signed_in(browser)

    response = client.post(
        f"/admin/users/{hr_user.id}/password",
        data={"password": " spaces kept ", "confirm": " spaces kept "},
    )

    assert "New password set for Alex Morgan." in _flash(client, response)
    assert not _still_signed_in(browser)
    assert _still_signed_in(_signed_in(app, hr_user, " spaces kept "))


def test_changing_my_own_password_keeps_me_signed_in(app, client, admin, login_as):
    other_browser = _signed_in(app, admin)
    login_as(admin)

    response = client.post(
        f"/admin/users/{admin.id}/password",
        data={"password": "brand-new-password", "confirm": "brand-new-password"},
    )

    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200
    assert not _still_signed_in(other_browser)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="row locks are PostgreSQL's")
@pytest.mark.committed
def test_two_administrators_removing_each_other_at_once_leave_one(app, db, admin, make_user):
    other = make_user("administrator", username="other")
    admin_id = admin.id
    # The first Administrator's check has run (and taken its locks), its change not yet.
    user_services.ensure_not_last_administrator(other)
    outcome = []

    def the_other_administrator_at_the_same_moment():
        with app.app_context():
            try:
                user_services.set_user_active(db.session.get(User, admin_id), False)
                db.session.commit()
                outcome.append("saved")
            except ValidationError as exc:
                db.session.rollback()
                outcome.append(str(exc))
            finally:
                db.session.remove()

    racer = threading.Thread(target=the_other_administrator_at_the_same_moment)
    racer.start()
    racer.join(timeout=1)
    assert racer.is_alive(), "the second change should wait for the first one's row locks"
    user_services.set_user_active(other, False)
    db.session.commit()
    racer.join(timeout=10)

    assert len(outcome) == 1 and "last active Administrator" in outcome[0]
    db.session.expire_all()
    assert db.session.get(User, admin_id).is_active


def test_add_user_defaults_the_role_to_hr_professional(client, admin, login_as):
    login_as(admin)
    html = client.get("/admin/users/new").get_data(as_text=True)

    assert re.search(r'<option selected value="hr">HR Professional</option>', html)


def test_deactivating_a_user_asks_first_and_names_their_integrations(
    client, db, admin, login_as, make_user, make_company
):
    from tests.lever.lever_helpers import new_integration

    hr = make_user("hr", username="pshah", display_name="Priya Shah")
    new_integration(hr, make_company("CO", "Co Ltd"), subdomain="acme")
    login_as(admin)

    html = client.get(f"/admin/users/{hr.id}/deactivate").get_data(as_text=True)
    assert "Deactivate Priya Shah?" in html and "<strong>acme</strong>" in html
    db.session.refresh(hr)
    assert hr.active

    client.post(f"/admin/users/{hr.id}/deactivate")
    db.session.refresh(hr)
    assert not hr.active


def test_an_e_mail_belongs_to_one_user_in_any_case(db, client, admin, make_user, login_as):
    # Before: a second user could take an e-mail another user already had.
    owner = make_user("hr", username="owner", email="Priya@Example.com")
    other = make_user("hr", username="other", email="other@example.com")
    login_as(admin)

    taken = _text(client.post("/admin/users/new", data=_new_user(email="priya@EXAMPLE.com")))
    assert "Another user already has the e-mail 'priya@EXAMPLE.com'" in taken
    edited = _text(
        client.post(
            f"/admin/users/{other.id}/edit",
            data={"username": "other", "display_name": "Other", "email": " PRIYA@example.COM ",
                  "role": "hr"},
        )
    )  # fmt: skip
    assert "Another user already has the e-mail" in edited
    db.session.refresh(other)
    assert other.email == "other@example.com"
    keeps_own = client.post(
        f"/admin/users/{owner.id}/edit",
        data={"username": "owner", "display_name": "Owner", "email": "PRIYA@example.com",
              "role": "hr"},
    )  # fmt: skip
    assert keeps_own.status_code == 302  # changing the case of one's own address is fine
    with pytest.raises(ValidationError, match="Another user already has the e-mail"):
        user_services.update_user(other, "other", "Other", "priya@example.com", "hr")


def test_the_database_refuses_a_duplicate_e_mail_saved_concurrently(db, make_user):
    make_user("hr", username="first", email="same@example.com")
    db.session.add(
        User(username="second", display_name="Second", email="SAME@example.com",
             password_hash="x", role="hr")
    )  # fmt: skip
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
