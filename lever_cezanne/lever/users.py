"""A Lever user by id (an offer's hiring manager, say), cached per integration for ten minutes.

The same few managers hire again and again, and every Lever call spends the account's 10 requests
a second: a hire read its manager anew each time, one call in six. Only the name and e-mail are
kept, the two things a hire reads. A user Lever does not show, or shows with no usable e-mail
(which Line Manager would say), is asked for again next time: a fix in Lever shows at once.
"""

from lever_cezanne.lever.cache import lever_cache

CACHE_SECONDS = 600
KEY_PREFIX = "lever:users:"


def find_user(client, user_id: str) -> dict | None:
    """Return the Lever user's name and e-mail, or None when Lever has no such user or will not
    show it."""
    cache = lever_cache(KEY_PREFIX, CACHE_SECONDS)
    key = f"{client.integration_id}:{user_id}"
    user = cache.get(key)
    if user is None:
        found = client.find_user(user_id)
        if found is None:
            return None
        user = {"name": found.get("name"), "email": found.get("email")}
        if isinstance(user["email"], str) and "@" in user["email"]:
            cache.set(key, user)
    return user


def resolver(client):
    """find_user for this client, as map_job takes it."""
    return lambda user_id: find_user(client, user_id)
