"""An article with an uploaded cover in real Chromium at phone size: the WebP variant that fits is chosen,
its room is reserved before it loads, and axe-core finds nothing, in French and English."""

import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_article_with_an_uploaded_cover_at_phone_size_in_both_languages(page, live_server, axe):
    from citypocket.cityinfo import images, services
    from citypocket.cityinfo.tests.factories import ArticleFactory
    from citypocket.cityinfo.tests.test_images import phone_photo, upload
    from testsupport import demo_city

    rouen = demo_city("rouen")
    cover = services.store_image(city=rouen, picture=images.read_upload(upload(phone_photo(2000, 1000))),
                                 title="Quais", credit="© Ville de Rouen (démo)")
    ArticleFactory(city=rouen, slug="quais", title_fr="Les quais rénovés", title_en="The renovated quays",
                   cover=cover, cover_alt_fr="Les quais de Seine au coucher du soleil",
                   cover_alt_en="The Seine quays at sunset")
    page.set_viewport_size({"width": 390, "height": 844})
    for language, alt in (("fr", "Les quais de Seine au coucher du soleil"), ("en", "The Seine quays at sunset")):
        page.goto(f"{live_server.url}/rouen/news/quais/?lang={language}")
        page.wait_for_load_state("networkidle")
        picture = page.locator("img.ci-picture")
        assert picture.get_attribute("alt") == alt
        current = picture.evaluate("img => img.currentSrc")
        assert current.endswith(f"/rouen/images/{cover.key}/640.webp"), current  # 390 CSS px at 1x: the 640
        assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
        box = picture.bounding_box()
        assert abs(box["height"] - box["width"] / 2) < 2  # 2:1, as its width and height attributes say
        violations = axe(page)
        assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert page.errors == []
