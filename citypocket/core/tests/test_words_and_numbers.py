"""Words and numbers on the pages a citizen meets: numbers grouped per language, money written the
language's way, French typography before double punctuation, city names elided, and every
aria-describedby pointing at an element that exists."""

import html
import re

import pytest

from citypocket.cities.language import of_city
from citypocket.mobility import demo as mobility_demo
from citypocket.participation.demo import load_demo as load_participation
from citypocket.participation.models import Budget
from citypocket.safety.demo import load_demo as load_safety

RAW_NUMBER = re.compile(r"(?<![\w.,\u202f\u00a0/:#-])\d{4,}(?![\w,./:-])")
YEAR = re.compile(r"(19|20)\d\d")


def visible_text(body: str) -> str:
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def raw_numbers(text: str) -> list[str]:
    """Numbers of 4 digits or more written without grouping; years and postcodes ("76000 Rouen") aside."""
    found = []
    for match in RAW_NUMBER.finditer(text):
        after = text[match.end(): match.end() + 2]
        if YEAR.fullmatch(match.group(0)) or (len(match.group(0)) == 5 and re.match(r" [A-ZÉ]", after)):
            continue
        found.append(text[max(0, match.start() - 30): match.end() + 10])
    return found


def missing_describedby(body: str) -> list[str]:
    ids = set(re.findall(r'\sid="([^"]+)"', body))
    return [ref for refs in re.findall(r'aria-describedby="([^"]+)"', body) for ref in refs.split() if ref not in ids]


@pytest.fixture
def demo_pages(db, rouen, aix):
    mobility_demo.load(history=False)
    load_participation()
    load_safety()
    budgets = {b.city.slug + ("-past" if b.status == "published" else ""): b.pk for b in Budget.objects.all()}
    pages = ["/rouen/", "/aix-en-provence/", "/rouen/parking/", "/aix-en-provence/parking/?q=rotonde",
             "/rouen/participate/", "/aix-en-provence/participate/", "/rouen/safety/report/",
             "/aix-en-provence/safety/report/"]
    pages += [f"/rouen/participate/budgets/{budgets['rouen']}/",
              f"/rouen/participate/budgets/{budgets['rouen-past']}/results/",
              f"/aix-en-provence/participate/budgets/{budgets['aix-en-provence-past']}/results/"]
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_key_pages_group_numbers_and_point_hints_at_existing_ids(client, demo_pages, language):
    for url in demo_pages:
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={language}")
        assert response.status_code == 200, url
        body = response.content.decode()
        assert f'<html lang="{language}"' in body, url
        assert raw_numbers(visible_text(body)) == [], (url, language)
        assert missing_describedby(body) == [], (url, language)
        if language == "fr":
            # No plain space, and no space at all, before a colon, semicolon, question or exclamation mark.
            text = visible_text(body)
            assert not re.findall(r"[A-Za-zÀ-ÿ)»] [:;?!](?=\s)", text), (url, re.findall(r".{20}\w [:;?!]\s", text))
            assert not re.findall(r"[A-Za-zÀ-ÿ)»][:;?!](?=\s)", text), (url, re.findall(r".{20}\w[:;?!]\s", text))


@pytest.mark.django_db
def test_money_and_counts_are_written_each_language_s_way(client, demo_pages):
    french = client.get("/rouen/participate/").content.decode()
    assert "1\u202f000\u202f000\u00a0€" in french and "1000000" not in french
    english = client.get("/rouen/participate/", {"lang": "en"})
    assert "€1,000,000" in english.content.decode()
    rules = visible_text(french)
    assert "Sac à dos" not in rules and "Choisir des projets dont le coût total tient dans le montant" in rules
    parking = visible_text(client.get("/aix-en-provence/parking/").content.decode())
    assert "1\u202f800\u00a0places" in parking  # the Rotonde


@pytest.mark.django_db
def test_aix_report_form_gives_an_aix_street_as_example(client, demo_pages):
    aix = client.get("/aix-en-provence/safety/report/").content.decode()
    rouen = client.get("/rouen/safety/report/").content.decode()
    assert "cours Mirabeau" in aix and "Gros-Horloge" not in aix
    assert "Gros-Horloge" in rouen


def test_city_names_are_elided_after_de_in_french():
    assert of_city("Aix-en-Provence", "fr") == "d'Aix-en-Provence"
    assert of_city("Rouen", "fr") == "de Rouen"
    assert of_city("Évreux", "fr") == "d'Évreux"
    assert of_city("Aix-en-Provence", "en") == "Aix-en-Provence"
