"""Laptop mode is read by a person: one short log line per record, each task logged once, e-mails
printed decoded with their links whole. Production keeps JSON lines and real mail."""

import contextlib
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

from django.core.mail import EmailMultiAlternatives

from citypocket.core.logs import ReadableFormatter
from citypocket.core.mailconsole import ReadableConsoleBackend

LONG_LINK = "https://citypocket.example/accounts/confirm-email/MTQ:1vXYZa:" + "abcdefghij" * 6 + "/"


def record(message, level=logging.INFO, **extra):
    made = logging.LogRecord("citypocket.request", level, __file__, 1, message, (), None)
    made.__dict__.update(extra)
    return made


def test_a_request_is_one_short_line():
    line = ReadableFormatter().format(record("request", method="GET", route="<slug:city>/parking/",
                                             status=200, duration_ms=12.4))
    assert line == "GET /<slug:city>/parking/ 200 12 ms"


def test_other_records_keep_their_extras_and_warnings_say_so():
    formatter = ReadableFormatter()
    assert formatter.format(record("simulator running", interval=60)) == "simulator running interval=60"
    warning = formatter.format(record("feed refused", logging.WARNING, feed="rouen-air"))
    assert warning == "WARNING citypocket.request: feed refused feed=rouen-air"


def test_an_email_is_printed_decoded_with_its_link_whole():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        "Confirmez votre adresse — CityPocket", f"Bonjour,\n\nOuvrez ce lien très long : {LONG_LINK}\n\nÀ bientôt",
        "no-reply@citypocket.example", ["someone@example.org"],
    )
    message.attach_alternative("<p>Bonjour</p>", "text/html")
    ReadableConsoleBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "Subject: Confirmez votre adresse — CityPocket" in printed
    assert LONG_LINK in printed and "très" in printed and "=C3" not in printed
    assert "(also: text/html)" in printed


def run_settings(**variables) -> str:
    """The settings a fresh process reads with these variables (LOG_FORMAT, handler formatter, mailer)."""
    code = ("import django, logging; from django.conf import settings; django.setup(); "
            "h = logging.getLogger().handlers[0]; "
            "print(settings.LOG_FORMAT, type(h.formatter).__name__, settings.MAILERS['default']['BACKEND'])")
    env = {name: value for name, value in os.environ.items() if name not in ("LOG_FORMAT", "EMAIL_BACKEND")}
    env.update(DJANGO_SETTINGS_MODULE="citypocket.settings", **variables)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[3]).stdout.split()


def test_json_lines_unless_asked():
    """Without LOG_FORMAT a process writes JSON lines, as production (and `citypocket run` with LOG_FORMAT=json) does."""
    assert run_settings(DEBUG="on")[:2] == ["json", "JsonFormatter"]


def test_laptop_mode_reads_as_text():
    fmt, formatter, backend = run_settings(LOG_FORMAT="text", DEBUG="on")
    assert (fmt, formatter, backend) == ("text", "ReadableFormatter", "citypocket.core.mailconsole.ReadableConsoleBackend")


def test_run_gives_its_processes_the_text_format(monkeypatch, settings):
    """`citypocket run` in laptop mode starts every process with LOG_FORMAT=text unless one is set."""
    from citypocket.core.management.commands import run

    started = {}

    class Manager:
        returncode = 0

        def add_process(self, name, command, env):
            started[name] = env

        def loop(self):
            pass

    monkeypatch.setattr(run, "Manager", Manager)
    monkeypatch.setattr(run, "call_command", lambda *a, **k: None)
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    settings.DEBUG = True
    with contextlib.suppress(SystemExit):
        run.Command(stdout=io.StringIO()).handle(host="127.0.0.1", port=8999, web_workers=1, no_demo=True)
    assert started and {env["LOG_FORMAT"] for env in started.values()} == {"text"}


def test_a_task_is_logged_once(caplog):
    """Django's default console handler no longer prints django.* records beside the root handler."""
    django_logger = logging.getLogger("django")
    assert django_logger.handlers == [] and django_logger.propagate
