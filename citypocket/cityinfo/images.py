"""Pictures uploaded in the back office: checked, cleaned of their metadata, cut into responsive variants.

An upload is judged by its content, never by its name or the type the browser declared: Pillow must
read it as JPEG, PNG or WebP (only those decoders are tried), within a size in bytes and in pixels
(`CITYINFO_IMAGE_MAX_BYTES`, `CITYINFO_IMAGE_MAX_PIXELS`): a 50 KB PNG can declare 30 000 by 30 000
pixels and take gigabytes to decode, so the header's size is checked before anything is decoded.

A phone photo carries where it was taken (EXIF GPS), the camera's serial number, sometimes the
author's name (XMP). None of it is kept: the picture is decoded, turned upright by its EXIF
orientation (`ImageOps.exif_transpose`), converted to sRGB, and re-encoded from bare pixels, so no
EXIF, XMP, ICC profile or comment reaches a written file — the upload itself is never written.
What is kept is a clean master (at most `MASTER_MAX_SIDE` pixels, never served) and, for each width
of `VARIANT_WIDTHS` not wider than the picture, a WebP and a JPEG (the fallback) served to the pages.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

try:
    from PIL import ImageCms
except ImportError:  # pragma: no cover - Pillow's wheels carry Little CMS
    ImageCms = None

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPTED_TYPES = "image/jpeg,image/png,image/webp"
VARIANT_WIDTHS = (320, 640, 1024)
MASTER_MAX_SIDE = 2048
# extension: (Pillow format, content type)
VARIANT_FORMATS = {"webp": ("WEBP", "image/webp"), "jpg": ("JPEG", "image/jpeg")}
VARIANTS_DIR = "cityinfo/images"
MASTERS_DIR = "cityinfo/image-masters"  # never served: not under VARIANTS_DIR, not listed in `variants`


@dataclass(frozen=True)
class Picture:
    """A decoded upload: upright, sRGB, RGB or RGBA, without any metadata, at most MASTER_MAX_SIDE."""

    pixels: PILImage.Image
    source_format: str

    @property
    def has_alpha(self) -> bool:
        return self.pixels.mode == "RGBA"


def max_bytes() -> int:
    return settings.CITYINFO_IMAGE_MAX_BYTES


def read_upload(upload) -> Picture:
    """Reads an uploaded file into a clean `Picture`, or raises a ValidationError saying what is wrong."""
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s; images are limited to %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}, code="too_large")
    upload.seek(0)
    not_an_image = ValidationError(_("This file is not a JPEG, PNG or WebP image."), code="not_an_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            opened = PILImage.open(upload, formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise not_an_image from None
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (OSError, SyntaxError, ValueError):
        raise not_an_image from None
    width, height = opened.size
    if width < 1 or height < 1 or width * height > settings.CITYINFO_IMAGE_MAX_PIXELS:
        raise _too_many_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            # A JPEG can be decoded at 1/2, 1/4 or 1/8 of its size: faster, and enough for the master.
            opened.draft(None, (MASTER_MAX_SIDE, MASTER_MAX_SIDE))
            opened.load()
            upright = ImageOps.exif_transpose(opened)  # a copy, turned as the camera meant it
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ValidationError(_("This image is damaged or incomplete."), code="damaged") from None
    pixels = _to_srgb(upright, opened.info.get("icc_profile"))
    if max(pixels.size) > MASTER_MAX_SIDE:
        pixels.thumbnail((MASTER_MAX_SIDE, MASTER_MAX_SIDE), PILImage.Resampling.LANCZOS)
    return Picture(pixels=_bare(pixels), source_format=opened.format)


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This image has too many pixels (at most %(limit)s million).")
        % {"limit": f"{settings.CITYINFO_IMAGE_MAX_PIXELS / 1_000_000:g}"}, code="too_many_pixels")


def _to_srgb(image: PILImage.Image, icc_profile: bytes | None) -> PILImage.Image:
    """RGB or RGBA pixels in sRGB: a wide-gamut or CMYK photo keeps its colours once its profile is gone."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    mode = "RGBA" if has_alpha else "RGB"
    if icc_profile and ImageCms is not None:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
                image = image.convert(mode)
            converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile: the pixels as they are
    return image.convert(mode)


def _bare(image: PILImage.Image) -> PILImage.Image:
    """The same pixels in a new image: nothing of the upload's `info` (EXIF, XMP, ICC, comments) follows."""
    bare = PILImage.new(image.mode, image.size)
    bare.paste(image)
    return bare


def variant_widths(width: int) -> list[int]:
    """The widths cut from a picture `width` pixels wide: never wider than it, at least one."""
    return [w for w in VARIANT_WIDTHS if w <= width] or [width]


def encode(image: PILImage.Image, extension: str) -> bytes:
    """One variant's bytes. The JPEG fallback has no transparency: it is laid on white."""
    pil_format, _type = VARIANT_FORMATS[extension]
    buffer = io.BytesIO()
    if pil_format == "JPEG":
        if image.mode == "RGBA":
            flat = PILImage.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        image.save(buffer, "WEBP", quality=80, method=4)
    return buffer.getvalue()


@dataclass(frozen=True)
class StoredFiles:
    key: uuid.UUID
    width: int
    height: int
    master: str
    variants: list[dict]

    @property
    def names(self) -> list[str]:
        return [self.master, *(variant[ext] for variant in self.variants for ext in VARIANT_FORMATS)]


def write_files(picture: Picture) -> StoredFiles:
    """Writes the master and every variant under a new key; on failure removes what it wrote and raises."""
    key = uuid.uuid4()
    image = picture.pixels
    written: list[str] = []
    try:
        master_ext, master_format = ("png", "PNG") if picture.has_alpha else ("jpg", "JPEG")
        buffer = io.BytesIO()
        image.save(buffer, master_format, **({"quality": 92} if master_format == "JPEG" else {}))
        master = default_storage.save(f"{MASTERS_DIR}/{key}.{master_ext}", ContentFile(buffer.getvalue()))
        written.append(master)
        variants = []
        for width in variant_widths(image.width):
            height = max(1, round(image.height * width / image.width))
            resized = image if width == image.width else image.resize(
                (width, height), PILImage.Resampling.LANCZOS, reducing_gap=3.0)
            variant = {"width": width, "height": height}
            for extension in VARIANT_FORMATS:
                name = default_storage.save(f"{VARIANTS_DIR}/{key}/{width}.{extension}",
                                            ContentFile(encode(resized, extension)))
                written.append(name)
                variant[extension] = name
            variants.append(variant)
    except Exception:
        delete_files(written)
        raise
    return StoredFiles(key=key, width=image.width, height=image.height, master=master, variants=variants)


def delete_files(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


@dataclass(frozen=True)
class Responsive:
    """What a `<picture>` needs: WebP and JPEG srcsets, the fallback `src`, and the intrinsic size."""

    webp_srcset: str
    jpg_srcset: str
    src: str
    width: int
    height: int


def responsive(image, *, city_slug: str) -> Responsive | None:
    """The `<picture>` sources of an uploaded image (None when it has no variant)."""
    variants = sorted(image.variants or [], key=lambda v: v["width"])
    if not variants:
        return None

    def url(variant, extension):
        return reverse("cityinfo:image", kwargs={"city": city_slug, "key": image.key, "width": variant["width"],
                                                 "extension": extension})

    fallback = next((v for v in variants if v["width"] >= 640), variants[-1])
    largest = variants[-1]
    return Responsive(
        webp_srcset=", ".join(f"{url(v, 'webp')} {v['width']}w" for v in variants),
        jpg_srcset=", ".join(f"{url(v, 'jpg')} {v['width']}w" for v in variants),
        src=url(fallback, "jpg"), width=largest["width"], height=largest["height"],
    )
