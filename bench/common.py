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
    """The production web process as `citypocket run` starts it: gunicorn, 2 workers x 4 threads, the
    balanced gthread worker keeping connections alive for 5 s (WEB_KEEPALIVE's default, docs/operations.md
    "Serving")."""
    return [sys.executable, "-m", "gunicorn", "citypocket.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "2", "--threads", "4", "--worker-class", "citypocket.core.serverworker.BalancedThreadWorker",
            "--keep-alive", "5", "--log-level", "warning"]


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
