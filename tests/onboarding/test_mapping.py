"""Lever opportunity + offers → Cezanne HR fields (the documentation's tables)."""

import copy
from datetime import UTC, date, datetime

import pytest

from lever_cezanne.onboarding.mapping import (
    MappingError,
    latest_signed_start,
    map_new_starter,
    map_phones,
)

TODAY = date(2024, 7, 1)
OPPORTUNITY = {
    "id": "250d8f03-738a-4bba-a671-8a3d73477145",
    "name": "Cosima Niehaus",
    "contact": {
        "id": "c38e60e9-5992-45e5-8f81-d4b2d65c95b1",
        "name": "Cosima Niehaus",
        "headline": "Dyad Industries",
        "isAnonymized": False,
        "location": {"name": "Toronto, ON, Canada"},
        "emails": ["cniehaus@dyad.org", "cosima@example.com"],
        "phones": [{"type": "mobile", "value": "123-456-7890"}, {"type": "work", "value": "111"}],
    },
    "emails": ["cniehaus@dyad.org"],
    "phones": [{"type": "mobile", "value": "123-456-7890"}],
    "archived": {"reason": "16308515-dc77-4aa7-b3af-96161b2b4e9b", "archivedAt": 1719792000000},
    "urls": {
        "list": "https://hire.sandbox.lever.co/candidates",
        "show": "https://hire.sandbox.lever.co/candidates/250d8f03-738a-4bba-a671-8a3d73477145",
    },
}


def _ms(*args) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def _offer(status, created_at, start):
    return {
        "id": f"offer-{created_at}",
        "status": status,
        "createdAt": created_at,
        "fields": [
            {"text": "Job title", "identifier": "job_title", "value": "Engineer"},
            {
                "text": "Anticipated start date",
                "identifier": "anticipated_start_date",
                "value": start,
            },
        ],
    }


def _map(opportunity=OPPORTUNITY, offers=None, use_offer=False, timezone="Europe/London"):
    return map_new_starter(opportunity, offers, today=TODAY, timezone=timezone, use_offer=use_offer)


def test_personal_information_follows_the_documentation():
    starter = _map()
    person = starter.person
    assert person["first_name"] == "Cosima" and person["surname"] == "Niehaus"
    assert person["known_as"] == "Cosima"
    assert person["full_name"] == person["legal_name"] == "Cosima Niehaus"
    assert person["person_code"] == person["lever_contact_id"] == OPPORTUNITY["contact"]["id"]
    assert person["date_of_birth"] == TODAY
    assert person["external_email"] == "cniehaus@dyad.org"
    assert person["mobile_number"] == "123-456-7890"
    assert person["work_number"] == person["home_number"] == "111"
    assert person["lever_opportunity_id"] == OPPORTUNITY["id"]
    assert person["lever_opportunity_url"] == OPPORTUNITY["urls"]["show"]
    assert starter.hire_date == TODAY
    # The second e-mail is not dropped silently: the Warning lists it.
    assert starter.warnings == [
        "Lever had 2 e-mail addresses; the first is the External E-mail and these were not "
        "copied: cosima@example.com. Add any that matter to the person's record."
    ]


@pytest.mark.parametrize(
    "phone,field",
    [
        ({"type": "work", "value": "1"}, "work_number"),
        ({"type": "mobile", "value": "1"}, "mobile_number"),
        ({"type": "home", "value": "1"}, "home_number"),
        ({"type": "other", "value": "1"}, "other_number"),
        ({"type": None, "value": "1"}, "other_number"),
        ({"value": "1"}, "other_number"),
        ({"type": "skype", "value": "1"}, "skype_name"),
        ({"type": "fax", "value": "1"}, "other_number"),
    ],
)
def test_each_phone_type_lands_in_its_field(phone, field):
    fields, left_over = map_phones([phone])
    expected = {field: "1"}
    if field == "work_number":
        expected["home_number"] = "1"  # no home phone: Home Number is the Work Number
    assert fields == expected
    assert left_over == []


def test_home_phone_wins_over_work_for_home_number():
    fields, _ = map_phones([{"type": "work", "value": "w"}, {"type": "home", "value": "h"}])
    assert fields == {"work_number": "w", "home_number": "h"}


def test_extra_phones_of_a_filled_type_are_listed_not_moved_into_other():
    """Regression: a second mobile went into Other Number and pushed out the real other phone."""
    phones = [
        {"type": "mobile", "value": "m1"},
        {"type": "mobile", "value": "m2"},
        {"type": "other", "value": "o1"},
        {"type": "work", "value": "w1"},
        {"type": "work", "value": "w2"},
    ]
    fields, left_over = map_phones(phones)
    assert fields == {
        "mobile_number": "m1",
        "other_number": "o1",
        "work_number": "w1",
        "home_number": "w1",
    }
    assert left_over == ["m2 (Mobile Number)", "w2 (Work Number)"]
    starter = _map(dict(OPPORTUNITY, contact=dict(OPPORTUNITY["contact"], phones=phones)))
    assert starter.person["other_number"] == "o1"
    [warning] = [w for w in starter.warnings if "phone" in w]
    assert "m2 (Mobile Number); w2 (Work Number)" in warning


def test_untyped_phones_use_other_number_only_while_it_is_free():
    untyped_first = [
        {"value": "u1"},
        {"type": "other", "value": "o1"},
        {"type": None, "value": "u2"},
    ]
    fields, left_over = map_phones(untyped_first)
    assert fields == {"other_number": "o1"}
    assert left_over == ["u1 (untyped)", "u2 (untyped)"]
    fields, left_over = map_phones([{"type": "mobile", "value": "m"}, {"value": "u1"}])
    assert fields == {"mobile_number": "m", "other_number": "u1"} and left_over == []


def test_every_extra_e_mail_is_listed_in_the_warning():
    contact = dict(OPPORTUNITY["contact"], emails=["a@x.com", "b@x.com", "c@x.com"])
    starter = _map(dict(OPPORTUNITY, contact=contact))
    assert starter.person["external_email"] == "a@x.com"
    assert any(
        "Lever had 3 e-mail addresses" in w and "b@x.com; c@x.com" in w for w in starter.warnings
    )


def test_missing_emails_and_phones_are_fine():
    contact = {"id": "c1", "name": "Ada Lovelace", "emails": [], "phones": []}
    starter = _map({"id": "o1", "name": "Ada Lovelace", "contact": contact})
    person = starter.person
    assert person["external_email"] is None
    assert all(person[f] is None for f in ("home_number", "work_number", "mobile_number"))
    assert person["lever_opportunity_url"] == "https://hire.lever.co/candidates/o1"


def test_unexpanded_contact_uses_the_opportunity_fields():
    opportunity = dict(OPPORTUNITY, contact="contact-uid")
    person = _map(opportunity).person
    assert person["person_code"] == "contact-uid"
    assert person["external_email"] == "cniehaus@dyad.org"
    assert person["mobile_number"] == "123-456-7890"


def test_middle_names_particles_and_nicknames():
    contact = dict(OPPORTUNITY["contact"], name='Juan "Juanito" Carlos de la Vega')
    person = _map(dict(OPPORTUNITY, contact=contact)).person
    assert person["first_name"] == "Juan"
    assert person["middle_name"] == "Carlos"
    assert person["surname"] == "de la Vega"
    assert person["known_as"] == "Juanito"
    assert person["full_name"] == "Juan de la Vega"


@pytest.mark.parametrize("name", ["Madonna", "Cher", "王小明", "Mr Li"])
def test_one_word_name_is_the_full_and_legal_name_not_doubled(name):
    """Regression: a mononym became "Cher Cher" in Full Name and Legal Name."""
    word = name.removeprefix("Mr ")
    contact = dict(OPPORTUNITY["contact"], name=name)
    starter = _map(dict(OPPORTUNITY, contact=contact))
    assert starter.person["first_name"] == starter.person["surname"] == word
    assert starter.person["full_name"] == starter.person["legal_name"] == word
    assert starter.full_name == word
    assert any("one word" in w for w in starter.warnings)


def test_non_ascii_names_survive_intact():
    contact = dict(OPPORTUNITY["contact"], name="Łukasz Żółć-Ścibor")
    person = _map(dict(OPPORTUNITY, contact=contact)).person
    assert (person["first_name"], person["surname"]) == ("Łukasz", "Żółć-Ścibor")


def test_overlong_values_are_cut_with_a_warning():
    contact = dict(
        OPPORTUNITY["contact"],
        name="Ann " + "B" * 150,
        phones=[{"type": "mobile", "value": "9" * 80}],
    )
    starter = _map(dict(OPPORTUNITY, contact=contact))
    assert len(starter.person["surname"]) == 100
    assert len(starter.person["mobile_number"]) == 50
    assert any("Surname was longer than 100" in w for w in starter.warnings)
    assert any("Mobile Number was longer than 50" in w for w in starter.warnings)


def test_no_contact_id_is_a_mapping_error():
    with pytest.raises(MappingError):
        _map(dict(OPPORTUNITY, contact=None))


def test_hire_date_from_the_latest_signed_offer_in_the_organisation_zone():
    offers = [
        _offer("signed", 1, _ms(2024, 8, 1)),
        # Latest signed: starts 00:30 BST on 2 September, still 1 September in UTC.
        _offer("signed", 3, _ms(2024, 9, 1, 23, 30)),
        _offer("sent", 5, _ms(2024, 10, 1)),
    ]
    starter = _map(offers=offers, use_offer=True)
    assert starter.hire_date == date(2024, 9, 2)
    assert starter.hire_date_warning is None


def test_hire_date_is_today_unless_configured():
    offers = [_offer("signed", 1, _ms(2024, 8, 1))]
    assert _map(offers=offers, use_offer=False).hire_date == TODAY


def test_no_signed_offer_falls_back_to_today_with_a_warning():
    starter = _map(offers=[_offer("approved", 1, _ms(2024, 8, 1))], use_offer=True)
    assert starter.hire_date == TODAY
    assert "No signed offer" in starter.hire_date_warning


def test_signed_offer_without_a_start_date_is_skipped():
    offers = [_offer("signed", 9, None), _offer("signed", 1, _ms(2024, 8, 1, 12))]
    assert latest_signed_start(offers) == _ms(2024, 8, 1, 12)


def test_mapping_does_not_change_its_input():
    before = copy.deepcopy(OPPORTUNITY)
    _map()
    assert before == OPPORTUNITY


def test_malformed_lever_data_is_skipped_not_a_crash():
    opportunity = copy.deepcopy(OPPORTUNITY)
    opportunity["contact"]["phones"] = [
        {"type": ["work"], "value": "+44 20 7946 0000"},
        "not-a-phone",
        {"type": "mobile", "value": 42},
    ]
    opportunity["contact"]["emails"] = [None, 7, " grace@example.com "]
    opportunity["urls"] = ["not", "an", "object"]
    offers = [
        {"status": "signed", "createdAt": "yesterday", "fields": ["junk", {"identifier": 3}]},
        {"status": "signed", "createdAt": 2, "fields": "junk"},
        "not-an-offer",
    ]
    starter = _map(opportunity, offers, use_offer=True)
    assert starter.person["other_number"] == "+44 20 7946 0000"
    assert starter.person["mobile_number"] is None
    assert starter.person["external_email"] == "grace@example.com"
    assert starter.person["lever_opportunity_url"].endswith(OPPORTUNITY["id"])
    assert starter.hire_date == TODAY and starter.hire_date_warning


def test_a_boolean_is_not_a_start_date():
    offer = _offer("signed", 1, True)
    assert latest_signed_start([offer]) is None
