"""GET /v1/opportunities as the catch-up sync uses it: archive filters and offset paging."""

from lever_cezanne.sandbox.seed import HIRED_REASON_ID, opportunity_id, stable_id

MARY = opportunity_id("Mary Anne Elizabeth Smith")
BOBBY = opportunity_id('Robert "Bobby" Tables')
SOREN = opportunity_id("Søren Ærø")
TIMING = stable_id("archive_reason", "Timing")


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [opportunity["id"] for opportunity in response.json["data"]]


def _archive(store, clock, opportunity, reason=HIRED_REASON_ID) -> int:
    from lever_cezanne.sandbox import records

    clock.advance(1)
    with store.mutate() as state:
        records.archive(state["candidates"][opportunity], reason, int(clock.now * 1000))
    return int(clock.now * 1000)


def test_archive_reason_ids_are_repeatable_and_any_matches(sandbox_client, bearer, store, clock):
    _archive(store, clock, MARY)
    _archive(store, clock, BOBBY, TIMING)
    get = sandbox_client.get
    hired = get(f"/v1/opportunities?archive_reason_id={HIRED_REASON_ID}", headers=bearer)
    assert _ids(hired) == [MARY]
    both = get(
        f"/v1/opportunities?archive_reason_id={HIRED_REASON_ID}&archive_reason_id={TIMING}",
        headers=bearer,
    )
    assert sorted(_ids(both)) == sorted([MARY, BOBBY])


def test_archived_at_window_is_inclusive_milliseconds(sandbox_client, bearer, store, clock):
    first = _archive(store, clock, MARY)
    second = _archive(store, clock, BOBBY)
    third = _archive(store, clock, SOREN)

    def window(**params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return _ids(sandbox_client.get(f"/v1/opportunities?{query}", headers=bearer))

    assert sorted(window(archived_at_start=second)) == sorted([BOBBY, SOREN])
    assert sorted(window(archived_at_end=second)) == sorted([MARY, BOBBY])
    assert window(archived_at_start=second, archived_at_end=second) == [BOBBY]
    assert window(archived_at_start=third + 1) == []
    assert len(window(archived_at_start=first, archived_at_end=third)) == 3
    # An opportunity that is not archived has no archive time: never in a window.
    store.move_stage(MARY)
    assert MARY not in window(archived_at_start=0)


def test_bad_timestamps_are_lever_400s(sandbox_client, bearer):
    for query in ("archived_at_start=yesterday", "archived_at_end=-5", "archived_at_start=1.5"):
        response = sandbox_client.get(f"/v1/opportunities?{query}", headers=bearer)
        assert response.status_code == 400
        assert response.json["code"] == "BadRequestError"
        assert "milliseconds" in response.json["message"]


def test_paging_with_limit_and_offset_returns_every_hire_once(sandbox_client, bearer, store):
    for number in range(7):
        store.hire_without_webhook(store.add_candidate({"name": f"Paged {number}"}))
    seen, params, pages = [], {"archive_reason_id": HIRED_REASON_ID, "limit": 3}, 0
    while True:
        response = sandbox_client.get("/v1/opportunities", query_string=params, headers=bearer)
        body = response.json
        pages += 1
        seen += _ids(response)
        assert set(body) <= {"data", "hasNext", "next"}
        if not body["hasNext"]:
            assert "next" not in body
            break
        assert isinstance(body["next"], str)
        params = {**params, "offset": body["next"]}
    assert pages == 3 and len(seen) == 7 == len(set(seen))


def test_an_offset_not_issued_by_lever_is_a_400(sandbox_client, bearer):
    response = sandbox_client.get("/v1/opportunities?offset=not-a-token", headers=bearer)
    assert response.status_code == 400 and response.json["code"] == "BadRequestError"
