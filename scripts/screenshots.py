"""Takes the README screenshots from a running CityPocket (make run) in a phone-sized Chromium.

Usage: .venv/bin/python scripts/screenshots.py [base-url] [path ...]
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
PATHS = sys.argv[2:] or ["/rouen/", "/aix-en-provence/"]
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="fr-FR")
        page = context.new_page()
        for path in PATHS:
            page.goto(BASE + path, wait_until="networkidle")
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(path=OUT / f"{name}.png", full_page=False)
            print(OUT / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()
