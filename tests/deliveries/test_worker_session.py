"""`flask worker`'s sessions keep what they loaded when they commit; the web's still expire it."""

import pytest
from sqlalchemy import event

from lever_cezanne.deliveries.commands import keep_rows_loaded_after_commit
from lever_cezanne.models import User


def _selects_to_read_the_name_after_a_commit(db, user_id: int) -> int:
    sent = []

    def record(conn, cursor, statement, *args):
        sent.append(statement)

    user = db.session.get(User, user_id)
    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert user.username
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    db.session.remove()
    return len(sent)


@pytest.mark.committed
def test_a_worker_session_keeps_what_it_loaded_after_a_commit(db, admin):
    user_id = admin.id
    db.session.remove()
    assert _selects_to_read_the_name_after_a_commit(db, user_id) == 1  # the default expires
    keep_rows_loaded_after_commit()  # what `flask worker` does
    try:
        assert _selects_to_read_the_name_after_a_commit(db, user_id) == 0
    finally:
        db.session.remove()
        db.session.session_factory.configure(expire_on_commit=True)
    assert _selects_to_read_the_name_after_a_commit(db, user_id) == 1
