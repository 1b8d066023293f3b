"""Takes the README screenshots from a running CityPocket (make run) in a phone-sized Chromium.

Each page at 390 x 844, French unless the name ends in `-en`, signed out, first screen only;
written to docs/screenshots/<city>-<page>[-en].png (the names the README shows). The pages are
the ones core/tests/test_browser_phone.py checks for overflow, language and accessibility.

Usage: .venv/bin/python scripts/screenshots.py [base-url]      (or: make screenshots)
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# (file name, path, language, what to do before the picture)
SHOTS = [
    ("rouen", "/rouen/", "fr", None),
    ("rouen-en", "/rouen/", "en", None),
    ("rouen-menu", "/rouen/", "fr", "menu"),
    ("rouen-air", "/rouen/air/", "fr", None),
    ("rouen-air-chart-en", "/rouen/air/", "en", "figure.air-figure"),
    ("aix-en-provence-parking", "/aix-en-provence/parking/", "fr", None),
    ("aix-en-provence-safety-help", "/aix-en-provence/safety/help/", "fr", None),
    ("rouen-participate", "/rouen/participate/", "fr", None),
    ("aix-en-provence-participate-en", "/aix-en-provence/participate/", "en", None),
    ("rouen-places", "/rouen/places/", "fr", None),
    ("rouen-agenda-en", "/rouen/agenda/", "en", None),
    ("aix-en-provence-news", "/aix-en-provence/news/", "fr", None),
    ("rouen-waste", "/rouen/waste/", "fr", None),
    ("rouen-data", "/rouen/data/", "fr", None),
    ("api-en", "/api/", "en", None),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, path, language, action in SHOTS:
            context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1,
                                          locale="fr-FR", service_workers="block")
            context.add_cookies([{"name": "django_language", "value": language, "url": BASE}])
            page = context.new_page()
            page.goto(BASE + path, wait_until="networkidle")
            if action == "menu":
                page.locator(".menu-toggle").click()
            elif action:
                page.locator(action).scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -80)")
            page.wait_for_timeout(300)
            page.screenshot(path=OUT / f"{name}.png", full_page=False)
            print(OUT / f"{name}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
