"""Benchmark 3: the Log tab with 1,000,000 rows and the People list with 100,000 people."""

import html
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from benchmarks.dataset import signed_in_client
from benchmarks.helpers import Figure, explain_request, median, pg_connect, timed_ms

TITLE = "3. Log tab (1,000,000 rows) and People list (100,000 people): first and deep pages"
TARGET_MS = 100
TARGET_RATIO = 1.5
ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
HREF = re.compile(r'\bhref="([^"]+)"')


def next_link(page: str) -> str | None:
    """Return the href of the link to older rows: rel="next", or labelled Older / Next page."""
    for attributes, text in ANCHOR.findall(page):
        href = HREF.search(attributes)
        if href and ('rel="next"' in attributes or re.match(r"\s*(Older|Next)", text)):
            return html.unescape(href.group(1))
    return None


def deep_url(link: str, table: str, dataset) -> str:
    """Turn the first "older" link into one that starts near the oldest rows.

    A keyset cursor holds the last row's id (possibly after other sort values, "a.b.123"), so
    the deep cursor is the same cursor with the id of a row a few pages from the end. An offset
    link (page=2) becomes the last-but-one page instead.
    """
    parts = urlsplit(link)
    query = parse_qsl(parts.query, keep_blank_values=True)
    with pg_connect(dataset.url) as conn:
        low = conn.execute(f"SELECT min(id) FROM {table}").fetchone()[0]  # noqa: S608
        total = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
    deep_id = low + 3 * 50  # three pages of 50 before the very end
    rewritten = []
    for key, value in query:
        if key == "page" and value.isdigit():
            value = str(max(2, total // 50 - 1))
        elif key in ("after", "before", "cursor", "older"):
            head, _, last = value.rpartition(".")
            if last.isdigit():
                value = f"{head}.{deep_id}" if head else str(deep_id)
        rewritten.append((key, value))
    return parts._replace(query=urlencode(rewritten)).geturl()


def _get_ms(client, url: str) -> tuple[float, str]:
    ms, response = timed_ms(lambda: client.get(url))
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return ms, response.get_data(as_text=True)


def _interleaved_medians(client, urls: list[str], repeats: int) -> list[float]:
    """Median time of each URL, requested in turn so that both see the same machine load."""
    for url in urls:
        _get_ms(client, url)  # warm-up: plans, templates and pages cached as in a running server
    times = [[] for _ in urls]
    for _ in range(repeats):
        for url, bucket in zip(urls, times, strict=True):
            bucket.append(_get_ms(client, url)[0])
    return [median(bucket) for bucket in times]


def measure_list(ctx, section, label: str, first_url: str, table: str, app, client) -> None:
    """First page and a deep page of one list: medians, ratio and targets."""
    repeats = 9 if ctx.quick else 25
    first_body = _get_ms(client, first_url)[1]
    link = next_link(first_body)
    if link is None:
        (first_ms,) = _interleaved_medians(client, [first_url], repeats)
        target = f"< {TARGET_MS} ms"
        figure = Figure(f"{label} first page", first_ms, "ms", target=target)
        figure.passed = first_ms < TARGET_MS
        section.figures.append(figure)
        section.notes.append(f"{label}: the first page has no link to older rows, so no deep page.")
        return
    deep = deep_url(link, table, ctx.dataset)
    rows = _get_ms(client, deep)[1].count("<tr") - 1
    first_ms, deep_ms = _interleaved_medians(client, [first_url, deep], repeats)
    section.figures += [
        Figure(f"{label} first page", first_ms, "ms", target=f"< {TARGET_MS} ms",
               passed=first_ms < TARGET_MS),
        Figure(f"{label} deep page", deep_ms, "ms", "first page", first_ms,
               f"< {TARGET_MS} ms, ≤ {TARGET_RATIO}× first", deep_ms < TARGET_MS
               and deep_ms <= TARGET_RATIO * first_ms),
    ]  # fmt: skip
    section.notes.append(
        f"{label}: first page `{first_url}`, deep page `{deep}` ({rows} rows shown); medians of "
        f"{repeats}, the two pages requested in turn after a warm-up."
    )
    if max(first_ms, deep_ms) >= TARGET_MS or deep_ms > TARGET_RATIO * first_ms:
        slow = deep if deep_ms >= first_ms else first_url
        plan = explain_request(app, client, slow)
        section.notes += [f"Plan of the slowest statement of `{slow}`:", "", "```", *plan]
        section.notes += ["```", ""]


def run(ctx, section) -> None:
    dataset = ctx.dataset.ensure()
    app, client = signed_in_client(dataset)
    section.notes.append(
        f"In-process (Flask test client, signed in as an Administrator) against PostgreSQL with "
        f"{dataset.sizes['log']:,} log rows and {dataset.sizes['people']:,} people; server time "
        f"of the whole request (queries and template)."
    )
    log_url = f"/integrations/lever/{dataset.integration_id}/log"
    measure_list(ctx, section, "Log tab", log_url, "log_entries", app, client)
    measure_list(ctx, section, "People list", "/people", "people", app, client)
