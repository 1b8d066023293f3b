"""Logs: a 4xx is at most one short line (no ERROR, no traceback), a 5xx keeps its traceback, and
the server never writes a client address (gunicorn's access log is off, its error log scrubbed)."""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.tasks.base import TaskResultStatus
from django.test import Client

from citypocket.core.logs import ClientErrorFilter
from testsupport import UserFactory, login

pytestmark = pytest.mark.django_db


def problems_in(records) -> list[str]:
    return [f"{r.name} {r.levelname} {r.getMessage()}" for r in records if r.levelno >= logging.ERROR or r.exc_info]


def test_an_ordinary_404_logs_one_short_line(client, rouen, caplog):
    """Unknown city page, unknown article, unknown API object: one INFO request line each, no ERROR, no traceback."""
    caplog.set_level(logging.DEBUG)
    for url in ("/nowhere/", "/rouen/safety/learn/nothing-here/", "/api/v1/cities/nowhere"):
        assert client.get(url).status_code == 404
    assert problems_in(caplog.records) == []
    lines = [r for r in caplog.records if r.name == "citypocket.request"]
    assert [(r.levelname, r.status) for r in lines] == [("INFO", 404)] * 3


def test_an_ordinary_403_logs_one_short_line(rouen, caplog, settings):
    """A staff member opening an admin page they may not see: one INFO request line, no ERROR, no traceback."""
    settings.STAFF_MFA_REQUIRED = False
    client = login(Client(), UserFactory(is_staff=True), mfa=False)
    caplog.set_level(logging.DEBUG)
    assert client.get("/admin/accounts/user/").status_code == 403
    assert problems_in(caplog.records) == []
    assert [(r.levelname, r.status) for r in caplog.records if r.name == "citypocket.request"] == [("INFO", 403)]


def test_a_server_error_keeps_its_traceback(client, rouen, caplog, monkeypatch):
    """A 5xx is still logged at ERROR with the exception, so that it can be fixed."""
    from citypocket.core import views

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "get_city", broken)
    client.raise_request_exception = False
    caplog.set_level(logging.DEBUG)
    assert client.get("/rouen/").status_code == 500
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and errors[0].exc_info and errors[0].exc_info[0] is RuntimeError


@pytest.fixture
def stdout_log():
    """What the configured JSON handler (settings.LOGGING) writes, one dict per line."""
    from pythonjsonlogger.json import JsonFormatter

    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        handler.setStream(previous)


def test_a_suspicious_request_is_one_warning_line_without_traceback(rouen, settings, stdout_log):
    """Django's security logger reports a refused request (400) at ERROR with a traceback: written as one WARNING line."""
    settings.STAFF_MFA_REQUIRED = False
    client = login(Client(), UserFactory(is_staff=True, is_superuser=True), mfa=False)
    assert client.get("/admin/accounts/user/?password__startswith=pbkdf2").status_code == 400
    lines = stdout_log()
    assert lines, "the refusal is still logged"
    assert [line["level"] for line in lines if line["logger"].startswith("django.security")] == ["WARNING"]
    assert all(line["level"] in ("INFO", "WARNING") and "exc_info" not in line for line in lines), lines
    assert all(len(json.dumps(line)) < 400 for line in lines)


def test_a_refused_request_is_logged_without_its_query_string(rouen, stdout_log):
    """Django's CSRF refusal of an API write attached the request, query string included, to its log line."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/cities/rouen/notifications/read?offset=7&email=someone%40example.org")
    assert response.status_code == 403
    lines = stdout_log()
    assert any(line["logger"] == "django.security.csrf" for line in lines), lines
    assert "someone" not in json.dumps(lines) and "offset=7" not in json.dumps(lines)


def test_a_5xx_record_keeps_level_and_traceback_through_the_filter():
    """The filter leaves records about server errors alone."""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), exc_info=True)
    record.exc_info = (RuntimeError, RuntimeError("boom"), None)
    record.status_code = 500
    assert ClientErrorFilter().filter(record)
    assert record.levelno == logging.ERROR and record.exc_info is not None


def gunicorn_logger(**options):
    from gunicorn.config import Config

    from citypocket.core.serverlog import AddressFreeLogger

    config = Config()
    for name, value in {"accesslog": "-", "errorlog": "-", **options}.items():
        config.set(name, value)
    return AddressFreeLogger(config)


def test_gunicorn_writes_no_access_line_even_when_asked(caplog):
    """With `--access-logfile -` and the default format (`%(h)s` first), no access line is written."""
    log = gunicorn_logger()
    assert "%(h)s" in log.cfg.access_log_format
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("gunicorn.access").addHandler(handler)
    try:
        log.access(object(), object(), {"REMOTE_ADDR": "203.0.113.7"}, timedelta(seconds=1))
    finally:
        logging.getLogger("gunicorn.access").removeHandler(handler)
    assert records == [] and not log.access_log_enabled


def test_gunicorn_error_log_hides_the_address_of_a_refused_request():
    """gunicorn's "Invalid request from ip=…" line keeps the reason, not the address (IPv4 and IPv6)."""
    log = gunicorn_logger()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    log.error_log.addHandler(handler)
    try:
        log.warning("Invalid request from ip={ip}: {error}".format(ip="203.0.113.7", error="Invalid HTTP method"))
        log.warning("Invalid request from ip=%s: %s", "2001:db8::1", "Invalid HTTP Version")
    finally:
        log.error_log.removeHandler(handler)
    messages = [record.getMessage() for record in records]
    assert messages == ["Invalid request from ip=-: Invalid HTTP method", "Invalid request from ip=-: Invalid HTTP Version"]


def test_citypocket_run_starts_gunicorn_without_client_addresses():
    """`citypocket run` gives gunicorn the address-free logger and no access-log format naming the client."""
    from citypocket.core.management.commands.run import Command

    web = dict(Command().processes(host="127.0.0.1", port=8000, web_workers=2))["web"]
    assert web[web.index("--logger-class") + 1] == "citypocket.core.serverlog.AddressFreeLogger"
    assert "--access-logfile" not in web and not any("%(h)" in arg for arg in web)


def test_a_task_is_logged_once_by_its_outcome(caplog):
    """The worker's console shows one line per task: its outcome, not its start too."""
    tasks = logging.getLogger("django.tasks")
    with caplog.at_level(logging.INFO):
        tasks.info("Task id=%s path=%s state=%s", "1", "citypocket.air.tasks.x", TaskResultStatus.RUNNING)
        tasks.info("Task id=%s path=%s state=%s", "1", "citypocket.air.tasks.x", TaskResultStatus.SUCCESSFUL)
    assert [record.getMessage() for record in caplog.records if record.name == "django.tasks"] == [
        "Task id=1 path=citypocket.air.tasks.x state=SUCCESSFUL"]
