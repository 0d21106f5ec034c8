"""The large data set for the page and search benchmarks, generated inside PostgreSQL."""

import os
import time

import psycopg

from benchmarks.helpers import bench_database, database_url, make_app, pg_connect

DATABASE = "lc_bench_data"
ADMIN_USERNAME = "bench.admin"
ADMIN_PASSWORD = "correct-horse-battery-staple"


def _words(text: str) -> list[str]:
    return text.split()


SIZES = {"users": 100_000, "companies": 100_000, "people": 100_000, "log": 1_000_000}
FIRST = _words(
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Willow Freya Florence "
    "Emily Ella Poppy Evie Elsie Charlotte Noah Muhammad Oliver George Leo Arthur Oscar Harry "
    "Archie Jack Henry Charlie Freddie Theodore Thomas Finley Theo Alfie Jacob William Priya "
    "Aisha Mateo Lucas Sofia Chen Wei Fatima Omar Zara Yusuf Hannah Daniel Sarah Joseph Maria"
)
LAST = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson "
    "Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner "
    "Martin Cooper Hill Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris "
    "Khan Scott Watson Davis Parker James Bennett Young Phillips Richardson Mitchell Bailey "
    "Carter Cook Singh Shaw Bell Collins Morgan Kelly Begum Miller Cox Hussain Marshall "
    "Simpson Price"
)
WORDS = _words(
    "Acme Northwind Contoso Fabrikam Globex Initech Umbrella Stark Wayne Tyrell Cyberdyne "
    "Hooli Vandelay Wonka Oceanic Soylent Aperture Massive Dynamic Pied Piper Blue Sun "
    "Monarch Nakatomi Gringotts Dunder Mifflin Sterling Cooper Prestige Worldwide Wernham "
    "Hogg Bluth Kruger"
)
SUFFIXES = _words("Ltd Limited Holdings Group Services Trading Partners Consulting LLP PLC")


def _sql_array(words) -> str:
    quoted = ",".join("'" + w.replace("'", "''") + "'" for w in words)
    return f"ARRAY[{quoted}]::text[]"


def _pick(words, salt: str) -> str:
    """SQL for a deterministic, evenly spread pick from a word list for series row g."""
    hashed = f"abs(hashtext(g::text || '{salt}')::bigint)"
    return f"({_sql_array(words)})[1 + {hashed} %% {len(words)}]"


def _insert_users(conn, n: int, password_hash: str) -> None:
    first, last = _pick(FIRST, "first"), _pick(LAST, "last")
    conn.execute(
        f"""
        INSERT INTO users (username, display_name, email, password_hash, role, active,
                           session_version, created_at)
        SELECT lower({first} || '.' || {last}) || g, {first} || ' ' || {last},
               lower({first} || '.' || {last}) || g || '@example.com', %s,
               CASE WHEN g %% 50 = 0 THEN 'administrator' ELSE 'hr' END,
               g %% 20 <> 0, 1, now() - g * interval '1 minute'
        FROM generate_series(1, %s) AS g
        """,  # noqa: S608 - the f-string parts are constant word lists, not input
        (password_hash, n),
    )


def _insert_companies(conn, n: int) -> None:
    word, second = _pick(WORDS, "word"), _pick(WORDS, "second")
    suffix = _pick(SUFFIXES, "suffix")
    conn.execute(
        f"""
        INSERT INTO companies (code, name, active, deleted_at, created_at)
        SELECT upper(substr({word}, 1, 3)) || '-' || lpad(g::text, 6, '0'),
               {word} || ' ' || {second} || ' ' || {suffix} || ' ' || g,
               g %% 25 <> 0, CASE WHEN g %% 40 = 0 THEN now() END, now()
        FROM generate_series(1, %s) AS g
        """,  # noqa: S608 - the f-string parts are constant word lists, not input
        (n,),
    )


def _insert_words(conn) -> None:
    """Fill the pickers' word tables, as core.word_search would for these ASCII rows."""
    for words, owner, table, columns in (
        ("company_words", "company_id", "companies", "code || ' ' || name"),
        ("user_words", "user_id", "users", "display_name || ' ' || username || ' ' || email"),
    ):
        conn.execute(
            f"""
            WITH split AS (
                SELECT DISTINCT t.id, left(w, 100) AS word
                FROM {table} t, regexp_split_to_table(lower({columns}), '\\W+') AS w
                WHERE w <> ''
            ), joined AS (
                SELECT id, ' ' || string_agg(word, ' ') AS row_words FROM split GROUP BY id
            )
            INSERT INTO {words} ({owner}, word, row_words)
            SELECT split.id, split.word, joined.row_words FROM split JOIN joined USING (id)
            """,  # noqa: S608 - constant table and column names
            (),
        )


def _insert_people(conn, n: int) -> None:
    first, last = _pick(FIRST, "first"), _pick(LAST, "last")
    conn.execute(
        f"""
        INSERT INTO people (person_code, first_name, surname, known_as, full_name, legal_name,
                            gender_id, date_of_birth, mobile_number, external_email,
                            lever_contact_id, lever_opportunity_id, created_at, updated_at)
        SELECT 'c' || lpad(to_hex(g), 12, '0'), {first}, {last}, {first},
               {first} || ' ' || {last}, {first} || ' ' || {last},
               (SELECT id FROM genders WHERE code = 'U'), date '2026-01-01',
               '+44 7700 9' || lpad((g %% 100000)::text, 5, '0'),
               lower({first} || '.' || {last}) || g || '@example.com',
               'c' || lpad(to_hex(g), 12, '0'), 'o' || lpad(to_hex(g), 12, '0'),
               now() - (%s - g) * interval '5 minutes', now()
        FROM generate_series(1, %s) AS g
        """,  # noqa: S608 - the f-string parts are constant word lists, not input
        (n, n),
    )
    conn.execute(
        """
        INSERT INTO employments (person_id, employment_id, company_id, hire_date, created_at)
        SELECT p.id, p.person_code, 1 + p.id %% 100, current_date - (p.id %% 700), p.created_at
        FROM people p
        """,
        (),
    )


def _insert_log(conn, integration_id: int, n: int, people: int) -> None:
    """n rows: every hire logs a delivery, most end in Information, some in Warning or Error."""
    conn.execute(
        """
        INSERT INTO webhook_deliveries (integration_id, token_hash, event, opportunity_id,
            contact_id, triggered_at, payload, status, attempts, received_at, updated_at,
            completed_at, source)
        SELECT %s, md5(g::text) || md5((g * 7)::text), 'candidateHired',
               'o' || lpad(to_hex(g), 12, '0'), 'c' || lpad(to_hex(g), 12, '0'),
               1700000000000 + g * 1000, '{"event": "candidateHired"}',
               CASE WHEN g %% 50 = 0 THEN 'failed' ELSE 'completed' END, 1,
               now() - (%s - g) * interval '5 minutes', now(), now(), 'webhook'
        FROM generate_series(1, %s) AS g
        """,
        (integration_id, people, people),
    )
    conn.execute(
        """
        INSERT INTO log_entries (integration_id, level, message, person_id, delivery_id,
                                 opportunity_id, created_at)
        SELECT %(integration)s,
               CASE WHEN g %% 50 = 0 THEN 'error' WHEN g %% 10 = 0 THEN 'warning'
                    ELSE 'information' END,
               CASE WHEN g %% 50 = 0 THEN 'Opportunity o' || lpad(to_hex(p.id), 12, '0')
                        || ' was not found in Lever. Check the candidate in Lever, then move '
                        || 'them to another stage and back to Hired.'
                    WHEN g %% 10 = 0 THEN 'The name has one word only; it fills both First '
                        || 'Name and Surname. Check the Personal Information of ' || p.full_name
                    ELSE 'New Starter Process started for ' || p.full_name || ' (Person Code '
                        || p.person_code || '); task assigned to Dana Admin' END,
               CASE WHEN g %% 50 = 0 THEN NULL ELSE p.id END, p.id,
               'o' || lpad(to_hex(p.id), 12, '0'),
               now() - (%(n)s - g) * interval '30 seconds'
        FROM generate_series(1, %(n)s) AS g
        JOIN people p ON p.id = 1 + (g - 1) %% %(people)s
        """,
        {"integration": integration_id, "n": n, "people": people},
    )


def _setup_app_rows(url: str) -> dict:
    """Create the signed-in Administrator and one integration through the app's own services."""
    from lever_cezanne.accounts.user_services import create_user
    from lever_cezanne.crypto import encrypt
    from lever_cezanne.extensions import db
    from lever_cezanne.models import LeverIntegration

    app = make_app(url)
    with app.app_context():
        admin = create_user(ADMIN_USERNAME, ADMIN_PASSWORD, "administrator", "Dana Admin", None)
        integration = LeverIntegration(
            subdomain="bench",
            signature_token_encrypted=encrypt("bench-signature-token"),
            signature_token_last4="oken",
            admin_user_id=None,
        )
        db.session.add(integration)
        db.session.commit()
        ids = {"integration_id": integration.id, "password_hash": admin.password_hash}
        db.session.remove()
        db.engine.dispose()
    return ids


class Dataset:
    """A database holding the big tables; built on first use, dropped by close()."""

    def __init__(self, sizes: dict | None = None):
        self.sizes = dict(SIZES, **(sizes or {}))
        self.url: str | None = None
        self.build_seconds = 0.0
        self.integration_id: int | None = None
        self._context = None

    def ensure(self) -> "Dataset":
        if self.url is None and os.environ.get("BENCH_REUSE_DATA"):
            self._reuse()
        if self.url is None:
            start = time.perf_counter()
            self._context = bench_database(DATABASE)
            self.url = self._context.__enter__()
            self._fill()
            self.build_seconds = time.perf_counter() - start
        return self

    def _reuse(self) -> None:
        """Development aid: use a data set left by BENCH_KEEP_DB=1 instead of building one."""
        url = database_url(DATABASE)
        try:
            with pg_connect(url) as conn:
                row = conn.execute("SELECT min(id) FROM lever_integrations").fetchone()
        except psycopg.OperationalError:
            return
        self.url, self.integration_id = url, row[0]

    def _fill(self) -> None:
        rows = _setup_app_rows(self.url)
        self.integration_id = rows["integration_id"]
        with pg_connect(self.url) as conn:
            _insert_companies(conn, self.sizes["companies"])
            _insert_users(conn, self.sizes["users"], rows["password_hash"])
            _insert_words(conn)
            _insert_people(conn, self.sizes["people"])
            _insert_log(conn, self.integration_id, self.sizes["log"], self.sizes["people"])
            conn.execute("VACUUM ANALYZE")

    def close(self) -> None:
        self.url = None
        if self._context is not None:
            self._context.__exit__(None, None, None)
            self._context, self.url = None, None


def signed_in_client(dataset: Dataset):
    """Return (app, test client) signed in as the data set's Administrator, in this process."""
    app = make_app(dataset.url, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    response = client.post(
        "/auth/login", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not sign in: {response.status_code}")
    return app, client
