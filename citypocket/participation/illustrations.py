"""Illustrations of the demo's budget projects, drawn with Pillow when the demo is loaded.

They are flat drawings (sky, ground, a pictogram of the project's theme), not photographs of
anything real: each is stored in the city's image library (cityinfo) titled and credited as a demo
illustration, and its text alternative says "Illustration". A city replaces them with its own pictures.
"""

from PIL import Image as PILImage
from PIL import ImageDraw

from citypocket.cityinfo.images import Picture
from citypocket.cityinfo.services import store_image

WIDTH, HEIGHT = 960, 540
CREDIT = "Illustration de démonstration dessinée par CityPocket"

# theme: (words in the title, sky colour, French alt, English alt)
THEMES = [
    ("tree", ("verger", "jardin", "prairie", "ruche", "îlot", "compost"), "#cfe8f3",
     "Illustration\u00a0: des arbres et de l'herbe sous un ciel bleu",
     "Illustration: trees and grass under a blue sky"),
    ("bike", ("vélo", "cyclable"), "#e3eefc",
     "Illustration\u00a0: un vélo garé sur un sol gris", "Illustration: a bicycle parked on grey ground"),
    ("water", ("fontaine", "eau"), "#d8f0ee",
     "Illustration\u00a0: une fontaine d'où jaillit de l'eau", "Illustration: a fountain with water springing up"),
    ("light", ("éclairage", "solaire"), "#1f2d4d",
     "Illustration\u00a0: un lampadaire allumé le long d'un chemin, la nuit",
     "Illustration: a lit street lamp along a path at night"),
    ("shade", ("ombr", "banc", "table"), "#fbe7c6",
     "Illustration\u00a0: un banc à l'ombre d'une voile sous le soleil",
     "Illustration: a bench in the shade of a sail under the sun"),
    ("book", ("livre",), "#f4e3d7",
     "Illustration\u00a0: une boîte à livres sur un poteau", "Illustration: a book box on a post"),
]


def theme_of(title: str) -> tuple:
    lowered = title.lower()
    return next((theme for theme in THEMES if any(word in lowered for word in theme[1])), THEMES[0])


def draw(theme: str, sky: str) -> PILImage.Image:
    image = PILImage.new("RGB", (WIDTH, HEIGHT), sky)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 400, WIDTH, HEIGHT), fill="#8fbf6a" if theme in ("tree", "shade") else "#9a9a9a")
    if theme == "tree":
        for x in (220, 480, 740):
            pen.rectangle((x - 12, 300, x + 12, 410), fill="#6b4a2b")
            pen.ellipse((x - 90, 160, x + 90, 320), fill="#3f7f3a")
            for dx, dy in ((-40, 220), (30, 250), (10, 190)):
                pen.ellipse((x + dx - 10, dy - 10, x + dx + 10, dy + 10), fill="#d9443c")
    elif theme == "bike":
        for cx in (360, 600):
            pen.ellipse((cx - 90, 300, cx + 90, 480), outline="#1f2937", width=14)
        pen.line((360, 390, 470, 390, 600, 390, 520, 300, 400, 300, 360, 390), fill="#c0392b", width=14)
        pen.line((520, 300, 540, 260, 580, 260), fill="#1f2937", width=12)
    elif theme == "water":
        pen.rectangle((330, 380, 630, 440), fill="#7d8a96")
        pen.rectangle((455, 250, 505, 380), fill="#7d8a96")
        for dx in (-120, -60, 0, 60, 120):
            pen.arc((480 + dx - 80, 150, 480 + dx + 80, 400), 200, 340, fill="#2f86c6", width=8)
    elif theme == "light":
        pen.rectangle((0, 400, WIDTH, HEIGHT), fill="#39424e")
        pen.rectangle((470, 170, 490, 420), fill="#b0b7c0")
        pen.ellipse((440, 130, 520, 190), fill="#ffe27a")
        pen.polygon(((480, 190), (360, 420), (600, 420)), fill="#5c5a3a")
    elif theme == "shade":
        pen.ellipse((760, 50, 880, 170), fill="#f5b82e")
        pen.polygon(((200, 180), (760, 220), (480, 300)), fill="#f08a5d")
        pen.rectangle((360, 360, 600, 380), fill="#7a5230")
        pen.rectangle((380, 380, 395, 420), fill="#7a5230")
        pen.rectangle((565, 380, 580, 420), fill="#7a5230")
    else:
        pen.rectangle((470, 300, 490, 420), fill="#6b4a2b")
        pen.rectangle((380, 170, 580, 310), fill="#c0392b")
        for index, colour in enumerate(("#2c3e50", "#27ae60", "#f1c40f", "#8e44ad")):
            pen.rectangle((405 + index * 40, 200, 435 + index * 40, 290), fill=colour)
    return image


def illustrate(project) -> bool:
    """Gives a demo project its illustration (once); True when one was made."""
    if project.image_id:
        return False
    name, _words, sky, alt_fr, alt_en = theme_of(project.title)
    picture = Picture(pixels=draw(name, sky), source_format="PNG")
    image = store_image(city=project.city, picture=picture, title=f"Illustration (démo)\u00a0: {project.title}"[:200],
                        credit=CREDIT)
    project.image, project.image_alt_fr, project.image_alt_en = image, alt_fr, alt_en
    project.save(update_fields=["image", "image_alt_fr", "image_alt_en"])
    return True
