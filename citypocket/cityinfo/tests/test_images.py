"""Uploaded images: checked by content, metadata stripped, turned upright, cut into WebP and JPEG variants,
served only as those variants, and attached to articles, events and places in the back office.

The pictures are made here with Pillow, shaped like a phone's: a JPEG with EXIF (camera, owner,
orientation, GPS position of Rouen's town hall), XMP and a comment.
"""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, ImageDraw
from PIL import Image as PILImage

from citypocket.cities.models import Role
from citypocket.cityinfo import images, services
from citypocket.cityinfo.models import Article, Image
from citypocket.cityinfo.tests.factories import ArticleFactory, EventFactory, PlaceFactory
from testsupport import admin_form_data, login, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages read directly (not through a page) are compared in English."""
    with translation.override("en"):
        yield

OWNER = "Jeanne Dupont"
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Jeanne Dupont</dc:creator>'
       b'</rdf:Description></rdf:RDF></x:xmpmeta>')


def phone_photo(width=1600, height=1200, *, orientation=1, fmt="JPEG") -> bytes:
    """A photo as a phone writes it: the top-left quarter red, the rest blue, with EXIF, GPS, XMP, comment."""
    image = PILImage.new("RGB", (width, height), (30, 80, 200))
    ImageDraw.Draw(image).rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=(220, 20, 20))
    exif = PILImage.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "Canon EOS R6"
    exif[ExifTags.Base.Artist] = OWNER
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (49.0, 26.0, 35.2),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (1.0, 5.0, 57.5),
    }
    buffer = io.BytesIO()
    extra = {"xmp": XMP, "comment": b"Jeanne Dupont's phone"} if fmt == "JPEG" else {}
    image.save(buffer, fmt, exif=exif.tobytes(), quality=90, **extra)
    return buffer.getvalue()


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def opened(name: str) -> PILImage.Image:
    image = PILImage.open(Path(settings.MEDIA_ROOT) / name)
    image.load()
    return image


def store(city, content: bytes, title="Photo") -> Image:
    return services.store_image(city=city, picture=images.read_upload(upload(content)), title=title)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG of a few bytes whose header declares `width` x `height` pixels: the shape of a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = zlib.compress(b"\0" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


# --- Reading an upload -------------------------------------------------------------------------


def test_the_test_photo_really_carries_gps_owner_and_xmp():
    """The fixture is honest: before the upload, the photo tells where it was taken and by whom."""
    photo = PILImage.open(io.BytesIO(phone_photo()))
    exif = photo.getexif()
    assert exif[ExifTags.Base.Artist] == OWNER
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude] == (49.0, 26.0, 35.2)
    assert b"Jeanne Dupont" in photo.info["xmp"]


def test_no_written_file_keeps_the_exif_gps_camera_owner_xmp_or_comment(rouen):
    """The master and every variant are re-encoded from bare pixels: no metadata of the upload survives."""
    image = store(rouen, phone_photo())
    files = media_files()
    assert len(files) == 1 + 3 * 2  # the master, and WebP + JPEG at 320, 640, 1024
    for path in files:
        raw = path.read_bytes()
        assert b"Jeanne" not in raw and b"Canon" not in raw and b"xmpmeta" not in raw, path.name
        written = PILImage.open(path)
        assert dict(written.getexif()) == {}, path.name
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(written.info), (path.name, written.info.keys())
    assert image.master.startswith("cityinfo/image-masters/")


def test_the_exif_orientation_is_applied_before_the_metadata_goes(rouen):
    """Orientation 6 (the phone held upright): a 1600x1200 sensor image is stored 1200x1600, red at the top right."""
    image = store(rouen, phone_photo(1600, 1200, orientation=6))
    assert (image.width, image.height) == (1200, 1600)
    largest = opened(image.variants[-1]["jpg"])
    assert largest.size == (1024, 1365)
    red, blue = largest.getpixel((1000, 20)), largest.getpixel((20, 20))
    assert red[0] > 180 and red[2] < 80, red
    assert blue[2] > 150 and blue[0] < 80, blue


@pytest.mark.parametrize(("size", "widths"), [
    ((2000, 1000), [320, 640, 1024]),
    ((800, 600), [320, 640]),
    ((200, 150), [200]),
])
def test_variants_are_webp_and_jpeg_at_each_width_never_wider_than_the_picture(rouen, size, widths):
    image = store(rouen, phone_photo(*size))
    assert [variant["width"] for variant in image.variants] == widths
    for variant in image.variants:
        webp, jpeg = opened(variant["webp"]), opened(variant["jpg"])
        assert (webp.format, jpeg.format) == ("WEBP", "JPEG")
        expected = (variant["width"], round(size[1] * variant["width"] / size[0]))
        assert webp.size == jpeg.size == expected == (variant["width"], variant["height"])


def test_a_big_photo_is_kept_at_most_2048_pixels_wide(rouen):
    image = store(rouen, phone_photo(3000, 2000))
    assert (image.width, image.height) == (2048, 1365)
    assert opened(image.master).size == (2048, 1365)


def test_a_transparent_png_keeps_its_alpha_in_webp_and_is_laid_on_white_in_jpeg(rouen):
    logo = PILImage.new("RGBA", (400, 200), (0, 0, 0, 0))
    ImageDraw.Draw(logo).rectangle((0, 0, 199, 199), fill=(10, 120, 40, 255))
    buffer = io.BytesIO()
    logo.save(buffer, "PNG")
    image = store(rouen, buffer.getvalue())
    webp, jpeg = opened(image.variants[0]["webp"]), opened(image.variants[0]["jpg"])
    assert webp.mode == "RGBA" and webp.getpixel((300, 100))[3] == 0
    assert jpeg.mode == "RGB" and min(jpeg.getpixel((300, 100))) > 245
    assert image.master.endswith(".png")


@pytest.mark.parametrize(("name", "content"), [
    ("notes.jpg", b"Ceci n'est pas une image.\n" * 20),
    ("logo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("scan.jpg", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"),
    ("anim.jpg", None),  # a real GIF: an image, but not one of the formats taken
])
def test_a_file_that_is_not_a_jpeg_png_or_webp_is_refused_whatever_its_name(name, content):
    if content is None:
        buffer = io.BytesIO()
        PILImage.new("P", (10, 10)).save(buffer, "GIF")
        content = buffer.getvalue()
    with pytest.raises(ValidationError, match="not a JPEG, PNG or WebP image") as error:
        images.read_upload(upload(content, name=name))
    assert error.value.code == "not_an_image"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.CITYINFO_IMAGE_MAX_BYTES = 10_000
    with pytest.raises(ValidationError, match=r"limited to 9\.8") as error:
        images.read_upload(upload(phone_photo()))
    assert error.value.code == "too_large"


@pytest.mark.parametrize(("width", "height"), [(12_000, 12_000), (100_000, 100_000)])
def test_a_decompression_bomb_is_refused_from_its_header(width, height):
    """A PNG of a few hundred bytes declaring 144 million (over our limit) or 10 billion pixels (over Pillow's)."""
    bomb = png_header_only(width, height)
    assert len(bomb) < 1000
    with pytest.raises(ValidationError, match="too many pixels") as error:
        images.read_upload(upload(bomb, name="bomb.png", content_type="image/png"))
    assert error.value.code == "too_many_pixels"


def test_the_pixel_limit_is_a_setting(settings):
    settings.CITYINFO_IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match="at most 1 million"):
        images.read_upload(upload(phone_photo(1600, 1200)))
    assert images.read_upload(upload(phone_photo(1000, 1000))).pixels.size == (1000, 1000)


def test_a_truncated_jpeg_is_refused_as_damaged():
    photo = phone_photo()
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        images.read_upload(upload(photo[: len(photo) // 2]))


def test_a_row_that_cannot_be_saved_leaves_no_file(rouen, monkeypatch):
    picture = images.read_upload(upload(phone_photo()))
    monkeypatch.setattr(Image, "save", lambda *args, **kwargs: (_ for _ in ()).throw(IntegrityError("boom")))
    with pytest.raises(IntegrityError):
        services.store_image(city=rouen, picture=picture, title="Photo")
    assert media_files() == []


# --- Models ----------------------------------------------------------------------------------


def test_an_image_needs_its_french_text_alternative_and_the_same_city(rouen, aix):
    image = Image.objects.create(city=rouen, title="Photo")
    article = ArticleFactory.build(city=rouen, cover=image, cover_alt_fr=" ")
    with pytest.raises(ValidationError, match="cover_alt_fr"):
        article.full_clean()
    event = EventFactory.build(city=aix, image=image, image_alt_fr="Le marché")
    with pytest.raises(ValidationError, match="same city"):
        event.clean()


@pytest.mark.parametrize(("factory", "field"), [(ArticleFactory, "cover"), (EventFactory, "image"),
                                                (PlaceFactory, "image")])
def test_the_database_refuses_an_image_without_text_alternative(rouen, factory, field):
    image = Image.objects.create(city=rouen, title="Photo")
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(city=rouen, **{field: image})


# --- Serving -------------------------------------------------------------------------------


def image_url(image, width, extension, city="rouen"):
    return reverse("cityinfo:image", kwargs={"city": city, "key": image.key, "width": width, "extension": extension})


def test_a_variant_is_served_with_its_type_a_year_of_cache_and_nosniff(client, rouen):
    image = store(rouen, phone_photo())
    for extension, content_type in (("webp", "image/webp"), ("jpg", "image/jpeg")):
        response = client.get(image_url(image, 640, extension))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        cache = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"public", "max-age=31536000", "immutable"} <= cache
        assert PILImage.open(io.BytesIO(b"".join(response.streaming_content))).size == (640, 480)
    assert client.head(image_url(image, 320, "webp")).status_code == 200


def test_the_master_and_anything_not_a_listed_variant_is_never_served(client, rouen, aix):
    image = store(rouen, phone_photo())
    master = Path(image.master)
    assert (Path(settings.MEDIA_ROOT) / master).exists()
    for url in (
        image_url(image, 2048, "jpg"),  # the master's width: not a variant
        image_url(image, 1600, "jpg"),
        image_url(image, 640, "png"),
        image_url(image, 640, "webp", city="aix-en-provence"),  # another city's address for it
        f"/media/{image.master}",
        f"/media/{image.variants[0]['jpg']}",
        f"/rouen/images/{image.key}/master.jpg",
        f"/rouen/images/{image.key}/..%2F..%2Fimage-masters%2F{master.name}",
    ):
        assert client.get(url).status_code == 404, url


# --- Back office -----------------------------------------------------------------------------


@pytest.fixture
def editor(rouen):
    return login(Client(), make_staff(rouen, Role.EDITOR))


def post_change(client, obj, **changes):
    url = reverse(f"admin:cityinfo_{obj._meta.model_name}_change", args=[obj.pk])
    data = admin_form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_an_editor_uploads_a_cover_and_the_article_shows_a_responsive_picture(client, rouen, editor):
    article = ArticleFactory(city=rouen, slug="quais", title_fr="Les quais", title_en="The quays")
    response = post_change(editor, article, upload=upload(phone_photo(2000, 1000)),
                           cover_alt_fr="Les quais de Seine au coucher du soleil",
                           cover_alt_en="The Seine quays at sunset")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    article.refresh_from_db()
    assert article.cover.city == rouen and article.cover.title == "Les quais"
    assert [v["width"] for v in article.cover.variants] == [320, 640, 1024]

    text = client.get("/rouen/news/quais/").content.decode()
    assert '<source type="image/webp" srcset="' in text
    assert f"/rouen/images/{article.cover.key}/320.webp 320w" in text
    assert f"/rouen/images/{article.cover.key}/1024.jpg 1024w" in text
    assert f'src="/rouen/images/{article.cover.key}/640.jpg"' in text
    assert 'width="1024" height="512" alt="Les quais de Seine au coucher du soleil"' in text
    english = client.get("/rouen/news/quais/?lang=en").content.decode()
    assert 'alt="The Seine quays at sunset"' in english


def test_an_upload_without_text_alternative_is_a_form_error_and_nothing_is_stored(rouen, editor):
    article = ArticleFactory(city=rouen)
    response = post_change(editor, article, upload=upload(phone_photo()), cover_alt_fr="")
    assert response.status_code == 200
    assert "cover_alt_fr" in response.context["adminform"].form.errors
    assert Image.objects.count() == 0 and media_files() == []


def upload_error(response) -> str:
    return response.context["adminform"].form.errors.as_data()["upload"][0].code


@pytest.mark.parametrize(("name", "content", "code"), [
    ("photo.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not_an_image"),
    ("bomb.png", png_header_only(30_000, 30_000), "too_many_pixels"),
])
def test_a_refused_upload_is_an_error_on_its_field_and_nothing_is_stored(rouen, editor, name, content, code):
    article = ArticleFactory(city=rouen)
    response = post_change(editor, article, upload=upload(content, name=name), cover_alt_fr="Une photo")
    assert response.status_code == 200
    assert upload_error(response) == code
    assert Image.objects.count() == 0 and media_files() == []
    article.refresh_from_db()
    assert article.cover is None and article.cover_alt_fr == ""


def test_an_oversize_upload_is_refused_in_the_back_office(rouen, editor, settings):
    settings.CITYINFO_IMAGE_MAX_BYTES = 20_000
    response = post_change(editor, PlaceFactory(city=rouen), upload=upload(phone_photo()), image_alt_fr="La façade")
    assert response.status_code == 200
    assert upload_error(response) == "too_large"
    assert Image.objects.count() == 0 and media_files() == []


def test_events_and_places_get_an_optional_image(client, rouen, editor):
    event = EventFactory(city=rouen, slug="marche")
    place = PlaceFactory(city=rouen, slug="mairie")
    assert post_change(editor, event, upload=upload(phone_photo(800, 600)), image_alt_fr="Les étals du marché",
                       image_alt_en="The market stalls").status_code == 302
    image = Image.objects.get()
    assert post_change(editor, place, image=str(image.pk), image_alt_fr="Les étals",
                       image_alt_en="").status_code == 302
    assert 'alt="The market stalls"' in client.get("/rouen/agenda/marche/?lang=en").content.decode()
    place_page = client.get("/rouen/places/mairie/?lang=en").content.decode()
    assert 'alt="Les étals"' in place_page and 'loading="lazy"' in place_page  # no English text: the French one


def test_the_image_library_uploads_lists_and_deletes_with_the_files(rouen, editor, django_capture_on_commit_callbacks):
    response = editor.post(reverse("admin:cityinfo_image_add"), {
        "city": str(rouen.pk), "title": "Hôtel de ville", "credit": "© Ville de Rouen",
        "upload": upload(phone_photo(800, 600))})
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.title, image.credit, image.width) == ("Hôtel de ville", "© Ville de Rouen", 800)
    assert len(media_files()) == 5
    listing = editor.get(reverse("admin:cityinfo_image_changelist")).content.decode()
    assert f"/rouen/images/{image.key}/320.jpg" in listing
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the deletion is committed
        confirm = editor.post(reverse("admin:cityinfo_image_delete", args=[image.pk]), {"post": "yes"})
    assert confirm.status_code == 302
    assert not Image.objects.exists() and media_files() == []


def test_the_library_refuses_a_file_that_is_not_an_image(rouen, editor):
    response = editor.post(reverse("admin:cityinfo_image_add"), {
        "city": str(rouen.pk), "title": "Faux", "upload": upload(b"GIF89a not really", name="x.webp")})
    assert response.status_code == 200
    assert upload_error(response) == "not_an_image"
    assert not Image.objects.exists() and media_files() == []


def test_another_citys_staff_cannot_pick_or_see_an_image(rouen, aix):
    image = store(rouen, phone_photo(400, 300))
    stranger = login(Client(), make_staff(aix, Role.EDITOR))
    assert stranger.get(reverse("admin:cityinfo_image_change", args=[image.pk])).status_code in (302, 404)
    aix_article = ArticleFactory(city=aix)
    response = post_change(stranger, aix_article, cover=str(image.pk), cover_alt_fr="Volée")
    assert response.status_code == 200 and "cover" in response.context["adminform"].form.errors
    assert Article.objects.get(pk=aix_article.pk).cover is None
