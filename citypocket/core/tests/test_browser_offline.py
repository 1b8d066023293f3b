"""Offline in real Chromium: drafts kept on the device and sent once, the offline page, saved copies,
and a new version of the app that never reloads an open page by itself."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from citypocket.core import views
from citypocket.core.models import IdempotentAnswer
from citypocket.core.tests.browser import WORKER_IN_CONTROL, kept_offline, wait_until
from citypocket.safety import crypto
from citypocket.safety.models import WEEKDAYS, HarassmentReport
from citypocket.safety.tests.factories import SafePlaceFactory
from testsupport import choose_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _controlled(page, path: str) -> None:
    """Opens `path` and waits until the service worker controls the page (a reload after the first install)."""
    page.goto(path)
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def _fill_report(page, description: str) -> None:
    page.check("input[name=category][value=following]")
    page.fill("#id_occurred_on", "2026-11-01")
    page.fill("#id_place_name", "quai de Paris")
    page.fill("#id_description", description)
    page.get_by_role("button", name=re.compile("Envoyer mon signalement|Send my report")).click()


def test_report_written_offline_is_kept_encrypted_then_sent_once_with_its_receipt(page, rouen, axe):
    """Offline, the report waits on the device (encrypted); back online it is sent once and the receipt shown."""
    page.set_viewport_size(PHONE)
    _controlled(page, "/rouen/safety/report/")
    page.context.set_offline(True)
    _fill_report(page, "suivie depuis la gare")
    waiting = page.locator("#outbox li[data-state=waiting]")
    waiting.wait_for()
    assert "En attente d'envoi" in waiting.inner_text()
    expect(page.locator("#outbox-status")).to_contain_text("connexion")
    assert not HarassmentReport.objects.exists()
    stored = page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open("citypocket-outbox");
        open.onsuccess = () => {
          const get = open.result.transaction("drafts").objectStore("drafts").getAll();
          get.onsuccess = () => resolve(get.result.map((d) => new TextDecoder("latin1").decode(d.fields.data)));
        };
    })""")
    assert len(stored) == 1 and "suivie" not in stored[0] and "quai" not in stored[0]
    assert axe(page) == []

    page.context.set_offline(False)
    sent = page.locator("#outbox li[data-state=sent]")
    sent.wait_for()
    code = sent.locator("code.receipt").inner_text()
    report = HarassmentReport.objects.get()
    assert report.receipt_hash == crypto.hash_receipt(code)
    assert crypto.decrypt_text(report.description_enc) == "suivie depuis la gare"
    expect(page.locator("#outbox-status")).to_contain_text("Envoyé")
    page.reload()  # the next visit shows the receipt again, and sends nothing more
    assert page.locator("#outbox li[data-state=sent] code.receipt").inner_text() == code
    page.wait_for_timeout(500)
    assert HarassmentReport.objects.count() == 1 and IdempotentAnswer.objects.count() == 1
    page.get_by_role("button", name="Masquer").click()
    page.locator("#outbox").wait_for(state="hidden")
    # Only the loads refused while offline (the map's tiles, a live refresh): no script error.
    assert [e for e in page.errors if "ERR_INTERNET_DISCONNECTED" not in e and "ERR_FAILED" not in e] == [], page.errors


def test_a_waiting_draft_can_be_deleted_and_is_never_sent(page, rouen):
    """A person changes their mind: the waiting draft is deleted and nothing reaches the server."""
    page.goto("/rouen/safety/report/")
    page.context.set_offline(True)
    _fill_report(page, "à supprimer")
    page.locator("#outbox li[data-state=waiting]").wait_for()
    page.get_by_role("button", name="Supprimer cet envoi").click()
    page.locator("#outbox").wait_for(state="hidden")
    expect(page.locator("#outbox-status")).to_have_text("Supprimé de cet appareil.")
    page.context.set_offline(False)
    page.reload()
    page.wait_for_timeout(500)
    assert not HarassmentReport.objects.exists()


def test_online_report_posts_natively_with_its_key(page, rouen):
    """Online, the form posts as before (receipt page), carrying a key made on the device."""
    page.goto("/rouen/safety/report/")
    key = page.locator("form[data-outbox] input[name=idempotency_key]").input_value()
    assert re.fullmatch(r"[0-9a-f-]{36}", key)
    _fill_report(page, "en ligne")
    page.locator("[data-outbox-result] code").wait_for()
    assert HarassmentReport.objects.count() == IdempotentAnswer.objects.count() == 1


def test_offline_page_calls_for_help_and_lists_the_pages_kept(page, rouen, aix, axe):
    """The offline page has tap-to-call 112 and 17, SMS 114, and links to the copies, help now first."""
    page.set_viewport_size(PHONE)
    _controlled(page, "/rouen/")
    wait_until(page, kept_offline("/rouen/safety/help/"))
    # The offline page lists the copies of the "pages-" caches once, as it opens: the home's must be there.
    wait_until(page, "() => caches.keys().then(keys => Promise.all(keys.filter(k => k.startsWith('pages-'))"
                     ".map(k => caches.open(k).then(c => c.match('/rouen/', {ignoreVary: true})))))"
                     ".then(found => found.some(Boolean))")
    page.context.set_offline(True)
    page.goto("/aix-en-provence/")
    assert page.locator("h1").inner_text() == "Vous êtes hors ligne"
    for href in ("tel:112", "tel:17", "sms:114"):
        assert page.locator(f"a[href='{href}']").count() == 1
    help_link = page.locator("#cached-help a[href='/rouen/safety/help/']")
    help_link.wait_for()
    assert "enregistrée" in page.locator("#cached-help li").first.inner_text()
    assert page.locator("#cached-pages a[href='/rouen/']").count() == 1
    assert axe(page) == []
    help_link.click()
    page.wait_for_url("**/rouen/safety/help/")
    assert page.locator("a[href='tel:17']").count() >= 1
    page.context.set_offline(False)


def test_a_copy_says_when_it_was_saved(page, rouen, axe):
    """A page shown from its copy says when it was saved, in the page's language."""
    page.set_viewport_size(PHONE)
    _controlled(page, "/rouen/")
    page.context.set_offline(True)
    page.goto("/rouen/")
    notice = page.locator(".saved-copy")
    notice.wait_for()
    assert re.match(r"Enregistrée à \d\d:\d\d", notice.inner_text())
    assert page.locator("body").get_attribute("data-saved-at")
    assert axe(page) == []
    page.context.set_offline(False)
    page.goto("/rouen/")
    assert page.locator(".saved-copy").count() == 0


def test_a_page_saved_again_is_never_without_its_copy(page, rouen):
    """While the worker saves the same page twenty times, its copy can be read at every moment, and only one is kept."""
    _controlled(page, "/rouen/")
    wait_until(page, kept_offline("/rouen/"))
    misses, saves, copies, vary = page.evaluate("""async () => {
        const cache = await caches.open('pages-v4');
        const savedAt = async () => (await cache.match('/rouen/', {ignoreVary: true}))?.headers.get('X-Saved-At');
        const seen = new Set();
        let misses = 0, looking = true;
        const watch = (async () => {
            while (looking) {
                const saved = await savedAt();
                if (saved) seen.add(saved); else misses++;
            }
        })();
        for (let i = 0; i < 20; i++) {
            navigator.serviceWorker.controller.postMessage({type: 'precache', urls: ['/rouen/']});
            await new Promise((done) => setTimeout(done, 40));
        }
        const deadline = Date.now() + 5000;
        while (seen.size < 10 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
        looking = false;
        await watch;
        const copies = await cache.matchAll('/rouen/', {ignoreVary: true});
        return [misses, seen.size, copies.length, copies[0].headers.get('Vary')];
    }""")
    assert saves >= 10  # the copy was replaced many times while it was watched
    assert misses == 0
    assert copies == 1 and vary is None


def test_the_previous_workers_public_copies_are_carried_over(page, rouen, aix):
    """An update keeps the offline copies: pages-v3's copy moves to pages-v4, without Vary, and answers offline."""
    page.goto("/static/core/app.css")  # same origin, no worker yet
    page.evaluate("""() => caches.open('pages-v3').then((cache) => cache.put('/aix-en-provence/',
        new Response('<body><h1>Aix-en-Provence</h1><p>copie v3</p></body>',
                     {headers: {'Content-Type': 'text/html', 'Vary': 'Cookie, Accept-Language',
                                'X-Saved-At': '2026-12-01T08:00:00Z'}})))""")
    page.goto("/rouen/")  # Aix's home is not among the pages Rouen's home asks the worker to keep
    page.wait_for_function(WORKER_IN_CONTROL)
    wait_until(page, "() => caches.has('pages-v3').then((has) => !has)")
    copy = page.evaluate("""() => caches.open('pages-v4').then((cache) => cache.match('/aix-en-provence/'))
        .then((hit) => hit && hit.text().then((text) => [text, hit.headers.get('Vary'), hit.headers.get('X-Saved-At')]))""")
    assert copy == ["<body><h1>Aix-en-Provence</h1><p>copie v3</p></body>", None, "2026-12-01T08:00:00Z"]
    page.context.set_offline(True)
    try:
        page.goto("/aix-en-provence/")
        assert "copie v3" in page.content()
        assert page.locator("body").get_attribute("data-saved-at") == "2026-12-01T08:00:00Z"
    finally:
        page.context.set_offline(False)


def test_a_new_version_waits_for_the_person_to_reload(page, rouen, monkeypatch):
    """A new worker installs and waits: the open page is not reloaded until the person asks."""
    _controlled(page, "/rouen/")
    first = page.evaluate("navigator.serviceWorker.controller.scriptURL")
    page.evaluate("window.openSince = 42")
    monkeypatch.setattr(views, "_shell_version", lambda shell: "next-version")
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    update = page.locator("#app-update")
    update.wait_for()
    page.wait_for_timeout(1000)
    assert page.evaluate("window.openSince") == 42  # not reloaded
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.waiting !== null)")
    assert "nouvelle version" in update.inner_text()
    with page.expect_navigation():
        update.get_by_role("button", name="Recharger").click()
    assert page.evaluate("window.openSince") is None
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == first
    assert page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.waiting === null)")
    assert page.locator("#app-update").count() == 0


@pytest.mark.parametrize("language", ["fr", "en"])
def test_offline_pages_are_accessible_on_a_phone(page, rouen, axe, language):
    """The offline page and a report form with a waiting draft are axe-clean at 390x844 in FR and EN."""
    page.set_viewport_size(PHONE)
    page.goto("/rouen/")
    if language == "en":
        choose_language(page, "en")
    page.goto("/offline/")
    assert page.locator("html").get_attribute("lang") == language
    assert axe(page) == []
    page.goto("/rouen/safety/report/")
    page.context.set_offline(True)
    _fill_report(page, "en attente")
    page.locator("#outbox li[data-state=waiting]").wait_for()
    assert axe(page) == []
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not overflow
    # Deleted before the test ends: back online, the page would send it while the database is emptied.
    page.locator("#outbox li[data-state=waiting] button").click()
    page.locator("#outbox").wait_for(state="hidden")


def test_open_now_follows_the_device_clock_not_the_time_the_page_was_saved(page, rouen):
    """A safe place open 10:00-11:00: the page says open at 10:30 and closed an hour later, by itself."""
    SafePlaceFactory(city=rouen, name="Café test", opening_hours={day: [["10:00", "11:00"]] for day in WEEKDAYS})
    tomorrow = (timezone.localtime(timezone=rouen.zone) + dt.timedelta(days=1)).date()
    page.clock.install(time=dt.datetime.combine(tomorrow, dt.time(10, 30), tzinfo=rouen.zone))
    page.goto("/rouen/safety/help/")
    label = page.locator("#safe-places li", has_text="Café test").locator(".open-state")
    expect(label).to_have_text("Ouvert en ce moment")
    page.clock.fast_forward("01:00:00")
    expect(label).to_have_text("Fermé en ce moment")
    assert "closed" in label.get_attribute("class")
