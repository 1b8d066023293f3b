"""What Django leaves for the first requests, done when a web process starts (citypocket.wsgi).

Django imports the URLconf at the first request: here that mounts every API router and builds its
schemas (1.7 s on the bench machine), under Python's import lock, so that every thread of the process
waits for it. Then come the URL tables for reversing (one per language), the translation catalogues
and each template's compilation. Measured on a freshly started web process: the first car-park list
took 1 708 ms (48 ms once warmed up), the first city home 1 650 ms plus 414 ms. With two workers of
four threads, a restart made the first eight requests wait about a second each: the p99 of a 10 s
run started with the server (docs/benchmarks.md).
"""

import logging
from pathlib import Path

from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.template.autoreload import get_template_directories
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parents[1]


def warm_up() -> None:
    """Imports the URLconf, fills the URL tables and loads the catalogues of each language, and
    compiles the project's templates (the cached loader keeps them for the process)."""
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        translation.trans_real.translation(code)
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 (filled for the active language on first access)
    for name in project_templates():
        try:
            engines["django"].get_template(name)
        except TemplateSyntaxError:
            logger.warning("template does not compile", extra={"template": name})


def project_templates() -> list[str]:
    """The names of the project's own templates (not the third-party apps')."""
    names = set()
    for directory in get_template_directories():
        if directory.resolve().is_relative_to(PROJECT):
            names.update(path.relative_to(directory).as_posix() for path in directory.rglob("*.html"))
    return sorted(names)
