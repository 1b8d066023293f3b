"""City-information benchmark: the one search over 100 000 items, the agenda "this weekend", the home's weight.

Targets (issue, performance):
- search over 100 000 mixed items (news, events, places) on PostgreSQL: p99 <= 50 ms, side by side in
  the same run with a plain ILIKE '%term%' query over the same rows (ratio reported);
- agenda "this weekend" with 20 000 events of which 2 000 recurring: p99 <= 50 ms;
- the city home's first load <= 100 KB transferred on a phone (Chromium at 390 x 844, production
  server and static files).

    .venv/bin/python bench/cityinfo.py --database-url postgres://postgres@127.0.0.1:5432/citypocket_bench [--write-docs]

Search and agenda are timed in process (`cityinfo.searchindex.search`, `selectors.list_occurrences`:
every query they make, on the bench database); the home through gunicorn and Chromium. The bench
cities (`bench-search`, `bench-agenda`) are rebuilt at each run; nothing else is touched.
"""

import argparse
import base64
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import ROOT, free_port, setup_django, web_command, web_description, write_docs

SEARCH_CITY, AGENDA_CITY = "bench-search", "bench-agenda"
STATIC_ROOT = Path("/tmp/citypocket-bench-static")
WORDS = ["piscine", "bibliothèque", "médiathèque", "musée", "concert", "exposition", "marché", "atelier", "enfants", "famille", "jazz", "orgue", "lecture", "conte", "théâtre", "danse", "cinéma", "parc", "jardin", "square", "travaux", "rue", "avenue", "place", "boulevard", "quai", "pont", "vélo", "tramway", "bus", "stationnement", "mairie", "état", "civil", "déchèterie", "collecte", "recyclage", "compost", "fontaine", "toilettes", "défibrillateur", "sport", "gymnase", "stade", "tennis", "natation", "patinoire", "randonnée", "balade", "patrimoine", "visite", "guidée", "cathédrale", "église", "abbaye", "château", "seine", "quartier", "centre", "ville", "fête", "festival", "brocante", "vide", "grenier", "conférence", "débat", "conseil", "municipal", "budget", "participatif", "école", "crèche", "collège"]
QUERIES = ["piscine", "bibliotheque", "piscne", "concert jazz", "marché", "exposition", "travaux rue",
           "musee", "atelier enfants", "brocante", "cathedrale", "bibliotheqe"]


SYLLABLES = ["ba", "be", "bi", "bo", "bu", "ca", "ce", "ci", "co", "cu", "da", "de", "di", "do", "du", "fa", "fe", "fi", "fo", "fu", "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "pa", "pe", "pi", "po", "pu", "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so", "su", "ta", "te", "ti", "to", "tu", "va", "ve", "vi", "vo", "vu"]
_VOCABULARY: list[str] = []
_WEIGHTS: list[float] = []


def vocabulary(rng) -> tuple[list[str], list[float]]:
    """The city's words: the real ones above among 4 000 made-up ones, drawn with Zipf's law (the
    frequency of the word of rank r is proportional to 1/r), as words are in any text; the ranks are
    shuffled, so a real word is as common as a made-up one of the same rank."""
    if not _VOCABULARY:
        made_up = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(4500)}
        words = list(WORDS) + sorted(made_up - set(WORDS))[:4000]
        rng.shuffle(words)
        _VOCABULARY.extend(words)
        _WEIGHTS.extend(1 / rank for rank in range(1, len(words) + 1))
    return _VOCABULARY, _WEIGHTS


def sentence(rng, words: int) -> str:
    vocabulary_words, weights = vocabulary(rng)
    return " ".join(rng.choices(vocabulary_words, weights=weights, k=words))


def city(slug: str):
    from citypocket.cities.models import City

    City.objects.filter(slug=slug).delete()
    return City.objects.create(slug=slug, name=slug, official_name=slug, insee_codes=["99999"], centre_lat=49.44,
                               centre_lon=1.09, bbox_south=49.3, bbox_west=0.9, bbox_north=49.6, bbox_east=1.3,
                               languages=["fr", "en"])


def build_search_city(rng) -> int:
    """40 000 places, 30 000 events and 30 000 articles with French/English text, then the index rebuilt."""
    from django.db import transaction

    from citypocket.cityinfo import searchindex
    from citypocket.cityinfo.models import Article, Event, Place, PlaceKind

    now = datetime.now(UTC)
    with transaction.atomic():
        place = city(SEARCH_CITY)
        kinds = PlaceKind.values
        Place.objects.bulk_create([
            Place(city=place, slug=f"lieu-{i}", name=sentence(rng, 3).capitalize(), kind=rng.choice(kinds),
                  address=f"{i} {sentence(rng, 2)}", lat=49.44, lon=1.09, description_fr=sentence(rng, 20),
                  description_en="A public place of the city.") for i in range(40_000)], batch_size=5000)
        Event.objects.bulk_create([
            Event(city=place, slug=f"evenement-{i}", title_fr=sentence(rng, 4).capitalize(), title_en="Event",
                  description_fr=sentence(rng, 30), starts_at=now + timedelta(hours=i % 5000),
                  ends_at=now + timedelta(hours=i % 5000 + 2)) for i in range(30_000)], batch_size=5000)
        Article.objects.bulk_create([
            Article(city=place, slug=f"article-{i}", category="city_life", title_fr=sentence(rng, 6).capitalize(),
                    summary_fr=sentence(rng, 15), body_fr=f"<p>{sentence(rng, 60)}</p>",
                    publish_at=now - timedelta(hours=i)) for i in range(30_000)], batch_size=5000)
    started = time.perf_counter()
    count = searchindex.rebuild(city=place)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cityinfo_searchentry")
    print(f"built {SEARCH_CITY}: {count} items indexed in {time.perf_counter() - started:.0f} s", flush=True)
    return count


def build_agenda_city(rng) -> None:
    """20 000 events over a year, 2 000 of them weekly series (half endless), a few today."""
    from django.db import transaction

    from citypocket.cityinfo.models import Event
    from citypocket.cityinfo.services import refresh_series_end

    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        place = city(AGENDA_CITY)
        events = []
        for i in range(20_000):
            recurring = i < 2000
            start = now + timedelta(hours=rng.randrange(-24 * 180 if recurring else -48, 24 * 365))
            event = Event(city=place, slug=f"e-{i}", title_fr=sentence(rng, 4).capitalize(),
                          starts_at=start, ends_at=start + timedelta(hours=2),
                          rrule=(("FREQ=WEEKLY;COUNT=52" if i % 2 else "FREQ=WEEKLY") if recurring else ""))
            refresh_series_end(event)
            events.append(event)
        Event.objects.bulk_create(events, batch_size=5000)
    from citypocket.cityinfo.occurrences import rebuild  # bulk_create sends no signal

    rebuild(city=place)
    print(f"built {AGENDA_CITY}: 20000 events, 2000 recurring", flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_calls(fn, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_search(rounds: int) -> dict:
    from django.db import connection

    from citypocket.cities.models import City
    from citypocket.cityinfo import searchindex

    place = City.objects.get(slug=SEARCH_CITY)

    def ilike(term: str):
        like = f"%{term}%"
        with connection.cursor() as cursor:
            where = ("city_id = %s AND (title_fr ILIKE %s OR title_en ILIKE %s OR summary_fr ILIKE %s "
                     "OR text_fr ILIKE %s OR text_en ILIKE %s)")
            params = [place.pk, like, like, like, like, like]
            cursor.execute(f"SELECT kind, count(*) FROM cityinfo_searchentry WHERE {where} GROUP BY kind", params)
            cursor.fetchall()
            cursor.execute(f"SELECT kind, title_fr, url FROM cityinfo_searchentry WHERE {where} LIMIT 15", params)
            cursor.fetchall()

    found = {query: searchindex.search(place, query).total for query in QUERIES}  # warm-up too
    search_times, ilike_times = [], []
    for _ in range(rounds):
        for query in QUERIES:  # interleaved: the same machine load for both
            search_times += time_calls(lambda q=query: searchindex.search(place, q), 1)
            ilike_times += time_calls(lambda q=query: ilike(q), 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cityinfo_searchentry WHERE city_id = %s", [place.pk])
        rows = cursor.fetchone()[0]
    return {"rows": rows, "found": found, "search": search_times, "ilike": ilike_times}


def bench_agenda(rounds: int) -> dict:
    from django.utils import timezone

    from citypocket.cities.models import City
    from citypocket.cityinfo import selectors
    from citypocket.cityinfo.views import AGENDA_PAGE_SIZE

    place = City.objects.get(slug=AGENDA_CITY)
    start, end = selectors.compute_period(city=place, when="weekend", moment=timezone.now())
    count = len(selectors.list_occurrences(city=place, start=start, end=end))

    def first_page():  # what the agenda page reads: the count and the first page's occurrences
        found = selectors.list_occurrences(city=place, start=start, end=end)
        return len(found), found[:AGENDA_PAGE_SIZE]

    def whole():  # every occurrence of the weekend built (the API's largest page is 100)
        return list(selectors.list_occurrences(city=place, start=start, end=end))

    times, whole_times = [], []
    for _ in range(rounds):  # interleaved
        times += time_calls(first_page, 1)
        whole_times += time_calls(whole, 1)
    return {"occurrences": count, "times": times, "whole": whole_times, "page": AGENDA_PAGE_SIZE}


def bench_home(database_url: str) -> dict:
    """Bytes Chromium transfers for the first load of /bench-agenda/ at phone size (CDP encodedDataLength)."""
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "off", "SECRET_KEY": "bench-" + uuid.uuid4().hex * 2,
           "ALLOWED_HOSTS": "127.0.0.1", "STATIC_ROOT": str(STATIC_ROOT), "SECURE_SSL_REDIRECT": "off",
           "SIMULATOR": "off", "LOG_LEVEL": "WARNING",
           "SAFETY_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode()}
    subprocess.run([sys.executable, "-m", "citypocket", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT,
                   check=True)
    port = free_port()
    web = subprocess.Popen(web_command(port), env=env, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {}
    try:
        import httpx

        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--headless", "--disable-gpu"])
            for language in ("fr", "en"):
                context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=3,
                                              is_mobile=True, has_touch=True, locale=f"{language}-FR",
                                              service_workers="block")
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                sizes: dict[str, int] = {}
                urls: dict[str, str] = {}
                cdp.on("Network.responseReceived", lambda e, u=urls: u.__setitem__(e["requestId"], e["response"]["url"]))
                cdp.on("Network.loadingFinished",
                       lambda e, s=sizes: s.__setitem__(e["requestId"], int(e["encodedDataLength"])))
                page.goto(f"http://127.0.0.1:{port}/{AGENDA_CITY}/", wait_until="networkidle")
                page.wait_for_timeout(500)
                total = sum(sizes.values())
                largest = sorted(((size, urls.get(rid, "?")) for rid, size in sizes.items()), reverse=True)[:4]
                results[language] = {"bytes": total, "requests": len(sizes), "largest": largest}
                context.close()
            browser.close()
    finally:
        web.terminate()
        web.wait(timeout=10)
    return results


def print_search(search: dict) -> None:
    """The search rows alone, with the load average (a shared machine: the tail moves with it)."""
    s50, s99 = statistics.median(search["search"]), percentile(search["search"], 0.99)
    i50, i99 = statistics.median(search["ilike"]), percentile(search["ilike"], 0.99)
    found = ", ".join(f"{query!r} {count}" for query, count in search["found"].items())
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"| one search, {search['rows']:,} items, {len(search['search'])} queries | p50 {s50:.1f} ms, "
          f"p99 {s99:.1f} ms | p99 ≤ 50 ms |")
    print(f"| plain `ILIKE '%term%'`, same queries, interleaved | p50 {i50:.1f} ms, p99 {i99:.1f} ms | — |")
    print(f"| ratio ILIKE p99 / search p99 | {i99 / s99:.1f}x | — |")
    print("per query (p50 ms): " + ", ".join(
        f"{query!r} {statistics.median(search['search'][i::len(QUERIES)]):.1f}" for i, query in enumerate(QUERIES)))
    print(f"matches: {found}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=25, help="rounds of the 12 search queries")
    parser.add_argument("--write-docs", action="store_true", help="replace the City information section")
    parser.add_argument("--skip-build", action="store_true", help="reuse the bench cities of the last run")
    parser.add_argument("--agenda-only", action="store_true",
                        help="build (unless --skip-build) and time only the agenda; prints its figure")
    parser.add_argument("--only-search", action="store_true",
                        help="build (unless --skip-build) and time the search only; print its rows, write nothing")
    args = parser.parse_args()
    if args.only_search and args.write_docs:
        parser.error("--only-search prints the search rows; --write-docs needs the whole section")
    setup_django(args.database_url)
    rng = random.Random(2026)
    if args.agenda_only:
        if not args.skip_build:
            build_agenda_city(rng)
        agenda = bench_agenda(args.rounds * 12)
        for label, times in (("first page", agenda["times"]), ("every occurrence", agenda["whole"])):
            print(f"agenda \"this weekend\", 20 000 events of which 2 000 recurring ({agenda['occurrences']} "
                  f"occurrences), {label}, {len(times)} runs: p50 {statistics.median(times):.1f} ms, "
                  f"p99 {percentile(times, 0.99):.1f} ms; load average {os.getloadavg()[0]:.2f}")
        return
    if not args.skip_build:
        build_search_city(rng)
        if not args.only_search:
            build_agenda_city(rng)
    search = bench_search(args.rounds)
    if args.only_search:
        print_search(search)
        return
    agenda = bench_agenda(args.rounds * 12)
    home = bench_home(args.database_url)

    def ms(values):
        return f"p50 {statistics.median(values):.1f} ms, p99 {percentile(values, 0.99):.1f} ms"

    s99, i99 = percentile(search["search"], 0.99), percentile(search["ilike"], 0.99)
    a99 = percentile(agenda["times"], 0.99)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0].split()[0]
    found = ", ".join(f"{query!r} {count}" for query, count in search["found"].items())
    largest = "; ".join(f"{url.split('/', 3)[-1]} {size / 1024:.1f} KB" for size, url in home["fr"]["largest"])
    text = f"""Command: `make bench-cityinfo` (`bench/cityinfo.py --database-url ...`), run
{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} CPUs, Python {platform.python_version()},
PostgreSQL {pg}), a shared machine. Search and agenda are timed in process (every query they make,
through Django, on the bench database); the home through {web_description()} (as `citypocket run`, production settings,
compressed static files) and Chromium.

| measure | result | target |
|---|---|---|
| one search, {search['rows']:,} items (40 000 places, 30 000 events, 30 000 news), {len(search['search'])} queries | {ms(search['search'])} | p99 ≤ 50 ms |
| plain `ILIKE '%term%'` over the same rows (counts per kind + first 15), same queries, interleaved | {ms(search['ilike'])} | — |
| ratio ILIKE p99 / search p99 | {i99 / s99:.1f}x | — |
| agenda "this weekend", 20 000 events of which 2 000 recurring ({agenda['occurrences']} occurrences): the count and the first page of {agenda['page']}, as the page reads them, {len(agenda['times'])} runs | {ms(agenda['times'])} | p99 ≤ 50 ms |
| the same weekend, every occurrence built, interleaved | {ms(agenda['whole'])} | — |
| city home first load at 390 x 844, French | {home['fr']['bytes'] / 1024:.1f} KB in {home['fr']['requests']} requests | ≤ 100 KB |
| city home first load at 390 x 844, English | {home['en']['bytes'] / 1024:.1f} KB in {home['en']['requests']} requests | ≤ 100 KB |

- Search: {'met' if s99 <= 50 else 'NOT met'}; agenda: {'met' if a99 <= 50 else 'NOT met'}; home:
  {'met' if max(h['bytes'] for h in home.values()) <= 100 * 1024 else 'NOT met'}.
- Text: titles of 3 to 6 words, descriptions and bodies of 20 to 60, drawn with Zipf's law from
  4 100 words (the real words of a city's news, agenda and places among made-up ones).
- Queries (with typos `piscne`, `bibliotheqe`, and words without accents) and their matches: {found}.
  ILIKE finds neither the typos nor `bibliotheque` in "bibliothèque", and has no ranking: it is the
  floor of "just look for the text", not an equivalent.
- Search: one pass over the matches of the generated `tsvector` (GIN) counts them per kind and keeps
  up to 200 text-only candidates per kind; the best 5 of each kind are ranked (`ts_rank`) among the
  title matches (a GIN index of the titles' own `tsvector`), and a kind short of them is completed
  from its candidates, in one more query. When no item has the words: the titles' trigrams
  (GIN `gin_trgm_ops`, `<%`, ranked by window functions), after the threshold's `set_config`.
- Agenda: the weekend's rows from the stored occurrences with their events' sort keys (one range
  query, joined by primary key, rows not objects), then only the page's events built; the agenda
  shows 30 occurrences a page, with the count of all.
- Home: bytes on the wire (`encodedDataLength`, headers included) with the service worker blocked,
  so that its precaching is not counted; largest: {largest}.
"""
    print(text)
    if args.write_docs:
        write_docs("City information", text)


if __name__ == "__main__":
    main()
