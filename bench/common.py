"""What every benchmark script shares: the bench database, Django set-up, a free port, docs/benchmarks.md."""

import os
import re
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def web_command(port: int) -> list[str]:
    """The production web process as `citypocket run` starts it (call after setup_django): gunicorn with
    the settings' WEB_WORKERS, WEB_THREADS and WEB_KEEPALIVE (by default one process more than the CPUs,
    each answering one request at a time; core/serverworker.py, docs/operations.md "Serving")."""
    from django.conf import settings

    from citypocket.core.serverworker import gunicorn_command

    return [*gunicorn_command(host="127.0.0.1", port=port, workers=settings.WEB_WORKERS,
                              threads=settings.WEB_THREADS, keepalive=settings.WEB_KEEPALIVE),
            "--log-level", "warning"]


def web_description() -> str:
    """web_command's model in words, for the docs (call after setup_django)."""
    from django.conf import settings

    if settings.WEB_THREADS > 1:
        return f"gunicorn {settings.WEB_WORKERS} workers x {settings.WEB_THREADS} threads (balanced keep-alive)"
    return f"gunicorn {settings.WEB_WORKERS} processes answering one request at a time"


def ensure_database(url: str) -> None:
    """Creates the PostgreSQL database of `url` if it does not exist yet (a fresh machine has none)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    scheme = "postgresql" if parts.scheme == "postgres" else parts.scheme
    with psycopg.connect(urlunsplit((scheme, parts.netloc, "/postgres", "", "")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str) -> None:
    """Django on the bench database, migrated; no simulator, quiet logs."""
    ensure_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ["SIMULATOR"] = "off"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citypocket.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_docs(heading: str, text: str) -> None:
    """Replaces the `## {heading}` section of docs/benchmarks.md with `text` (appends it if missing)."""
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"## {heading}\n\n" + text.strip() + "\n"
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _m: section + "\n", current)
    else:
        current = current.rstrip() + "\n\n" + section
    path.write_text(current.rstrip() + "\n")
