"""`citypocket run`: prepare the database and start every process of the platform.

Web (gunicorn, WSGI), the task worker, the clock that enqueues the periodic tasks and, when the
sensor engine is installed, the ingest process, supervised together: Ctrl-C (or SIGTERM) stops them all.
"""

import os
import shlex
import sys

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from honcho.manager import Manager

from citypocket.core.serverworker import gunicorn_command


class Command(BaseCommand):
    help = "Migrate, load the demo cities and run web + worker + clock + ingest in the foreground."

    def add_arguments(self, parser):
        # Defaults from HOST, PORT and WEB_WORKERS (read by settings.py).
        parser.add_argument("--host", default=settings.WEB_HOST)
        parser.add_argument("--port", type=int, default=settings.WEB_PORT)
        parser.add_argument("--web-workers", type=int, default=settings.WEB_WORKERS)
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo data.")

    def handle(self, *args, host, port, web_workers, no_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated")
        if not no_demo:
            call_command("load_demo")
        call_command("collectstatic", interactive=False, verbosity=0)
        manager = Manager()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if settings.DEBUG:
            env.setdefault("LOG_FORMAT", "text")  # a person reads this console; production keeps JSON lines
        # Just collected and compressed: serve those copies, as production does, not the apps' folders.
        env.setdefault("STATIC_FROM_FINDERS", "off")
        for name, argv in self.processes(host=host, port=port, web_workers=web_workers):
            manager.add_process(name, shlex.join(argv), env=env)
        self.stdout.write(f"CityPocket on http://{host}:{port}/  (Ctrl-C stops everything)")
        manager.loop()
        sys.exit(manager.returncode)

    def processes(self, *, host: str, port: int, web_workers: int) -> list[tuple[str, list[str]]]:
        citypocket = [sys.executable, "-m", "citypocket"]
        processes = [
            (
                "web",
                # One request at a time per process by default (WEB_THREADS), or threads keeping
                # connections alive (core/serverworker.py, docs/operations.md "Serving").
                gunicorn_command(host=host, port=port, workers=web_workers, threads=settings.WEB_THREADS,
                                 keepalive=settings.WEB_KEEPALIVE),
            ),
            ("worker", [*citypocket, "db_worker", "--no-reload", "--interval", "1"]),
            ("clock", [*citypocket, "clock", "--no-heartbeat"]),
        ]
        if "ingest" in get_commands():
            processes.append(("ingest", [*citypocket, "ingest"]))
        if settings.DEBUG:
            self.stdout.write("DEBUG is on (laptop mode); see docs/configuration.md for production.")
        return processes
