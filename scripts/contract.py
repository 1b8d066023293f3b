"""The API contract check: schemathesis over every operation of docs/openapi.json against a live server.

    .venv/bin/python scripts/contract.py --database-url postgres://postgres@127.0.0.1:5432/citypocket_contract

(`make contract` runs it; CI runs it after the two test suites.) What it does:

1. drops and creates the PostgreSQL database of `--database-url`, migrates it and loads the demo cities;
2. signs in a resident of Rouen (verified e-mail, verified residency): a session cookie and its CSRF
   token; creates an ingest token for Rouen;
3. starts the web server as `citypocket run` does (gunicorn, the same command line), DEBUG off, with
   the rate limits raised so that the generated requests reach the views;
4. runs schemathesis three times over every operation of docs/openapi.json (the committed contract):
   anonymous, with the ingest token (`Authorization: Bearer …`), and as the resident (session cookie
   and `X-CSRFToken`). Path and query parameters are drawn most of the time from the ids of the demo
   data (dictionaries), otherwise generated, so that the views are reached beyond their 404s.

Checks: no 5xx, every response matches the schema documented for its status and content type, and
every status and content type is documented. Exit status 1 on any failure; the reports (JUnit XML
and schemathesis' JSON summary) go to `--report-dir`.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CONTRACT = ROOT / "docs" / "openapi.json"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
RESIDENT_EMAIL = "contract-resident@example.org"
RUNS = ("anonymous", "ingest-token", "resident")


def fresh_database(url: str) -> None:
    """Drops and creates the PostgreSQL database named in `url`."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or '"' in name:
        raise SystemExit(f"Not a database name: {name!r}")
    scheme = "postgresql" if parts.scheme == "postgres" else parts.scheme
    with psycopg.connect(urlunsplit((scheme, parts.netloc, "/postgres", "", "")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def server_environment(database_url: str, work: Path) -> dict[str, str]:
    """Production-like settings (DEBUG off, manifest static files) on this machine's loopback."""
    from cryptography.fernet import Fernet

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "citypocket.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "off",  # plain HTTP on the loopback; no TLS proxy in front
        "SAFETY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SAFETY_RECEIPT_PEPPER": secrets.token_urlsafe(32),
        "CITYPOCKET_VAR_DIR": str(work / "var"),
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "SIMULATOR": "off",
        "LOG_LEVEL": "WARNING",
        "WEB_WORKERS": "2",
        # The limits are checked by their own tests; here every generated request must reach its view.
        "API_READ_RATE": "1000000/min",
        "API_WRITE_RATE": "1000000/min",
        "INGEST_RATE": "1000000/min",
        "SAFETY_REPORT_RATE": "1000000/min",
        "SAFETY_FOLLOW_RATE": "1000000/min",
        "PYTHONUNBUFFERED": "1",
    }


def prepare(env: dict[str, str]) -> dict:
    """Migrates, loads the demo, and makes the resident's session and the ingest token (in this process)."""
    os.environ.update(env)
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.core.management import call_command
    from django.http import HttpRequest
    from django.middleware.csrf import get_token
    from django.test import Client
    from django.utils import timezone

    from citypocket.accounts.models import User
    from citypocket.air.alerts import subscribe_push
    from citypocket.cities.models import City
    from citypocket.participation.models import ResidentVerification
    from citypocket.safety.models import Category, ReporterRole
    from citypocket.safety.services import submit_report
    from citypocket.sensors.tokens import create_ingest_token

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_demo", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    rouen = City.objects.get(slug="rouen")

    resident = User.objects.create_user(email=RESIDENT_EMAIL, password=secrets.token_urlsafe(24))
    EmailAddress.objects.create(user=resident, email=RESIDENT_EMAIL, verified=True, primary=True)
    ResidentVerification.objects.create(city=rouen, user=resident, method="census", verified_at=timezone.now())
    client = Client()
    client.force_login(resident)
    from django.conf import settings

    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    request = HttpRequest()
    csrf_token = get_token(request)
    csrf_cookie = request.META["CSRF_COOKIE"]
    _row, ingest_token = create_ingest_token(city=rouen, name="contract check")
    dictionaries = demo_values(rouen)
    # A report and a push subscription of Rouen, so that following and unsubscribing reach their views.
    submitted = submit_report(city=rouen, category=Category.values[0], occurred_at=timezone.now(),
                           reporter_role=ReporterRole.VICTIM, lat=None, lon=None,
                           place_name="Rue du Gros-Horloge", description="", contact="")
    dictionaries["body.receipt_code"] = [submitted.receipt_code]
    subscription = subscribe_push(city=rouen, endpoint="https://push.example.org/contract", p256dh="key", auth="auth")
    dictionaries["token"] = [str(subscription.token)]
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf_cookie}",
        "csrf": csrf_token,
        "ingest_token": ingest_token,
        "dictionaries": dictionaries,
    }


def demo_values(city) -> dict[str, list]:
    """Real values of `city`'s demo data, per parameter name, for the generated requests to reach the views."""
    from citypocket.participation.models import (
        ActionResult,
        Budget,
        Category,
        Comment,
        Meeting,
        Process,
        Project,
        Proposal,
        Survey,
    )
    from citypocket.sensors.models import Datastream, Sensor

    def values(queryset, field="pk", limit=20):
        return [value if isinstance(value, int) else str(value)
                for value in queryset.filter(city=city).values_list(field, flat=True).order_by(field)[:limit]]

    return {
        "city": [city.slug],
        "slug": [city.slug, *values(Process.objects, "slug")],
        "process": values(Process.objects, "slug"),
        "sensor": values(Sensor.objects, "external_id", 40),
        "station": values(Sensor.objects.filter(kind="air"), "external_id"),
        "property": sorted(set(Datastream.objects.filter(sensor__city=city).values_list("property", flat=True))),
        "budget_id": values(Budget.objects),
        "proposal_id": values(Proposal.objects),
        "comment_id": values(Comment.objects),
        "meeting_id": values(Meeting.objects),
        "survey_id": values(Survey.objects),
        "result_id": values(ActionResult.objects),
        "body.process": values(Process.objects, "slug"),
        "body.category_id": values(Category.objects),
        "body.project_ids[*]": values(Project.objects),
    }


def schemathesis_config(path: Path, dictionaries: dict[str, list], *, cache: Path) -> None:
    """A schemathesis.toml binding each parameter name to its demo values, used 3 times out of 4."""
    lines = [
        f"[cache]\ndirectory = {json.dumps(str(cache))}\n",
        # Methods a path does not have answer 405 (Django); that is not what this contract is about.
        "[phases.coverage]\nunexpected-methods = []\n",
    ]
    bound = {name: values for name, values in dictionaries.items() if values}
    for name, values in bound.items():
        lines.append(f"[dictionaries.{dictionary_name(name)}]\nvalues = {json.dumps(values)}\n")
    lines.append("[parameters]")
    for name in bound:
        lines.append(f'{json.dumps(name)} = {{ dictionary = "{dictionary_name(name)}", probability = 0.75 }}')
    path.write_text("\n".join(lines) + "\n")


def dictionary_name(parameter: str) -> str:
    """`body.project_ids[*]` -> `body_project_ids`: a bare TOML key."""
    return "".join(c if c.isalnum() or c == "_" else "_" for c in parameter.replace("[*]", "")).strip("_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """The web process exactly as `citypocket run` starts it."""
    from citypocket.core.management.commands.run import Command

    argv = dict(Command().processes(host="127.0.0.1", port=port, web_workers=int(env["WEB_WORKERS"])))["web"]
    with log.open("wb") as out:
        server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,  # noqa: S603
                                  start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The web server stopped at start-up:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"The web server did not answer /healthz within 60 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def run_schemathesis(name: str, *, base_url: str, config: Path, headers: dict[str, str], args,
                     reports: Path) -> dict:
    """One schemathesis run over every operation; returns its JSON summary."""
    summary = reports / f"{name}.json"
    command = [
        str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config), "run", str(CONTRACT),
        "--url", base_url, "--checks", CHECKS, "--max-examples", str(args.max_examples),
        "--seed", str(args.seed), "--workers", str(args.workers), "--request-timeout", "30",
        "--generation-database", "none", "--no-color",
        "--report", "junit,json", "--report-junit-path", str(reports / f"{name}.xml"),
        "--report-json-path", str(summary),
    ]
    for header, value in headers.items():
        command += ["--header", f"{header}: {value}"]
    print(f"\n== schemathesis, {name}", flush=True)
    started = time.monotonic()
    completed = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 - our own command line
    result = json.loads(summary.read_text()) if summary.exists() else {}
    result["seconds"] = round(time.monotonic() - started, 1)
    result["returncode"] = completed.returncode
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("CONTRACT_DATABASE_URL",
                                                                 "postgres://postgres@127.0.0.1:5432/citypocket_contract"))
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("CONTRACT_MAX_EXAMPLES", "20")),
                        help="fuzzed test cases per operation (default 20); the coverage phase generates "
                             "every boundary case the schema defines, whatever this says")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CONTRACT_SEED", "20261125")),
                        help="hypothesis seed: the same seed generates the same requests")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=RUNS, action="append", help="run only this one (repeatable)")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "var" / "contract")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL")

    started = time.monotonic()
    reports = args.report_dir.resolve()
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="citypocket-contract-"))
    try:
        fresh_database(args.database_url)
        env = server_environment(args.database_url, work)
        made = prepare(env)
        print("== database migrated, demo loaded, resident and ingest token made", flush=True)
        config = work / "schemathesis.toml"
        schemathesis_config(config, made["dictionaries"], cache=reports / "cache")
        port = free_port()
        server = start_server(env, port, reports / "server.log")
        try:
            headers = {
                "anonymous": {},
                "ingest-token": {"Authorization": f"Bearer {made['ingest_token']}"},
                "resident": {"Cookie": made["cookie"], "X-CSRFToken": made["csrf"]},
            }
            results = {
                name: run_schemathesis(name, base_url=f"http://127.0.0.1:{port}", config=config,
                                       headers=headers[name], args=args, reports=reports)
                for name in (args.only or RUNS)
            }
        finally:
            stop_server(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\n== contract summary")
    failed = False
    passed_tests = failed_tests = 0
    for name, result in results.items():
        operations = result.get("operations") or {}  # None when the run stopped before testing
        cases = result.get("test_cases") or {}
        failures = sum(group.get("count", 0) for group in result.get("failures") or [])
        errors = sum(group.get("count", 0) for group in result.get("errors") or [])
        failed |= result["returncode"] != 0 or failures > 0 or errors > 0 or not result.get("complete")
        print(f"{name:>13}: {operations.get('tested', '?')}/{operations.get('selected', '?')} operations, "
              f"{cases.get('generated', '?')} test cases, {failures} failures, {errors} errors, "
              f"{result['seconds']} s")
        good, bad = junit_counts(reports / f"{name}.xml")
        passed_tests, failed_tests = passed_tests + good, failed_tests + bad
    print(f"total {round(time.monotonic() - started, 1)} s; reports in {reports}")
    if failed and not failed_tests:
        failed_tests = 1  # a run that stopped before its report still fails the contract
    # One line per operation and run (and each run's stateful scenarios), as a test runner closes.
    print(f"contract: {passed_tests} passed, {failed_tests} failed")
    return 1 if failed else 0


def junit_counts(path: Path) -> tuple[int, int]:
    """(passed, failed) test cases of a schemathesis JUnit report: one per operation, plus the stateful one."""
    if not path.exists():
        return 0, 0
    cases = list(ElementTree.parse(path).iter("testcase"))  # noqa: S314 - our own report, written just now
    bad = sum(1 for case in cases if any(child.tag in ("failure", "error") for child in case))
    return len(cases) - bad, bad


if __name__ == "__main__":
    sys.exit(main())
