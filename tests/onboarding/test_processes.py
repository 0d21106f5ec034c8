"""Which New Starter process the integration uses: the documentation's order of preference."""

from datetime import UTC, datetime, timedelta

from lever_cezanne.onboarding.processes import choose_new_starter_process, describe_process_choice

DAY = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


def test_no_definitions_means_none_and_a_warning(app):
    assert choose_new_starter_process() is None
    assert "log an Error for every hire" in describe_process_choice(None)


def test_latest_active_with_absences_wins_over_newer_without(make_process):
    make_process("Old with", "with_absences", created_at=DAY)
    newest_with = make_process("New with", "with_absences", created_at=DAY + timedelta(days=2))
    make_process("Inactive newer with", "with_absences", False, DAY + timedelta(days=5))
    make_process("Newest without", "without_absences", created_at=DAY + timedelta(days=9))

    chosen = choose_new_starter_process()

    assert chosen.id == newest_with.id
    assert "New with" in describe_process_choice(chosen)
    assert "With Absences" in describe_process_choice(chosen)


def test_falls_back_to_latest_active_without_absences(make_process):
    make_process("Inactive with", "with_absences", False, DAY + timedelta(days=3))
    make_process("Old without", "without_absences", created_at=DAY)
    latest = make_process("Latest without", "without_absences", created_at=DAY + timedelta(days=1))
    make_process("Inactive without", "without_absences", False, DAY + timedelta(days=4))

    assert choose_new_starter_process().id == latest.id


def test_only_inactive_definitions_means_none(make_process):
    make_process("With", "with_absences", active=False)
    make_process("Without", "without_absences", active=False)

    assert choose_new_starter_process() is None


def test_same_created_at_prefers_the_later_id(make_process):
    first = make_process("First", "with_absences", created_at=DAY)
    second = make_process("Second", "with_absences", created_at=DAY)

    assert second.id > first.id
    assert choose_new_starter_process().id == second.id


def test_deactivating_the_chosen_one_moves_to_the_next(db, make_process):
    older = make_process("Older", "with_absences", created_at=DAY)
    newer = make_process("Newer", "with_absences", created_at=DAY + timedelta(hours=1))
    assert choose_new_starter_process().id == newer.id

    newer.active = False
    db.session.commit()

    assert choose_new_starter_process().id == older.id
