"""Dumping and restoring the two database engines: PostgreSQL with its client tools, SQLite in-process."""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

from citypocket.core.backups.archive import DATABASE_MEMBERS, BackupError

SQLITE_TIMEOUT = 20  # seconds, as long as the platform's own connections wait for a lock


def get_engine(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in DATABASE_MEMBERS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def compute_table_count(connection: BaseDatabaseWrapper) -> int:
    """Tables (and views, sequences) of the database outside the system catalogs: 0 means empty."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
            )
            return cursor.fetchone()[0]
    path = _sqlite_path(connection)
    if not path.is_file() or path.stat().st_size == 0:
        return 0
    # Read-only and outside Django's connection, which would create a missing file.
    database = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=SQLITE_TIMEOUT)
    try:
        return database.execute("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view')").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc}).") from exc
    finally:
        database.close()


def list_applied_migrations(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_path(connection: BaseDatabaseWrapper) -> Path:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(name).resolve()


def dump_sqlite(connection: BaseDatabaseWrapper, target: Path) -> dict:
    """Copies the database to `target` with SQLite's online backup API; returns the manifest entry."""
    source_path = _sqlite_path(connection)
    if not source_path.is_file():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    # A connection of its own, never the caller's: the backup reads committed data only, as a
    # second process would. In WAL mode the one-step backup holds one read snapshot while the
    # running platform keeps writing, so the copy is consistent and nobody waits.
    source = sqlite3.connect(f"{source_path.as_uri()}?mode=rw", uri=True, timeout=SQLITE_TIMEOUT)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            (check,) = copy.execute("PRAGMA quick_check").fetchone()
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup of {source_path} failed: {exc}") from exc
    finally:
        source.close()
    if check != "ok":
        raise BackupError(f"The copy of {source_path} fails SQLite's integrity check: {check}")
    return {"engine": "sqlite", "server_version": sqlite3.sqlite_version}


def restore_sqlite(connection: BaseDatabaseWrapper, dump: Path) -> None:
    """Writes the copy into the configured database file, replacing whatever it held."""
    connection.close()
    target = _sqlite_path(connection)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The backup API writes into the target through SQLite's own locking and journal (WAL
    # included) instead of replacing the file under a -wal file that would no longer match it.
    source = sqlite3.connect(dump)
    try:
        destination = sqlite3.connect(target, timeout=SQLITE_TIMEOUT)
        try:
            source.backup(destination)
        finally:
            destination.close()
    except sqlite3.Error as exc:
        raise BackupError(f"Restoring into {target} failed: {exc}") from exc
    finally:
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------


def dump_postgresql(connection: BaseDatabaseWrapper, target: Path) -> dict:
    """Dumps the database to `target` in pg_dump's custom format; returns the manifest entry."""
    pg_dump = _find_pg_tool("pg_dump")
    tool_major, tool_version = _get_pg_tool_version(pg_dump)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version_num')::int, current_setting('server_version')")
        number, server_version = cursor.fetchone()
    server_major, server_version = number // 10000, server_version.split()[0]
    # pg_dump refuses a server newer than itself; say so before it does, with the fix.
    if tool_major < server_major:
        raise BackupError(
            f"{pg_dump} is {tool_version}, older than the PostgreSQL {server_version} server: it cannot dump it. "
            f"Install the PostgreSQL {server_major} client tools (Debian: apt-get install "
            f"postgresql-client-{server_major}) and put their directory first on PATH."
        )
    _run_pg_tool([pg_dump, "--format=custom", "--no-password", f"--file={target}"], connection.settings_dict)
    return {
        "engine": "postgresql",
        "server_version": server_version,
        "dump_tool": tool_version,
        "dump_tool_major": tool_major,
    }


def find_pg_restore(manifest: dict) -> str:
    """The pg_restore on PATH, if it can read the archive's dump (made by a pg_dump no newer than it)."""
    pg_restore = _find_pg_tool("pg_restore")
    tool_major, tool_version = _get_pg_tool_version(pg_restore)
    dump_major = manifest["database"].get("dump_tool_major", 0)
    if tool_major < dump_major:
        raise BackupError(
            f"The dump was made by pg_dump {dump_major}; {pg_restore} is {tool_version} and cannot read it. "
            f"Install the PostgreSQL {dump_major} client tools (Debian: apt-get install "
            f"postgresql-client-{dump_major}) and put their directory first on PATH."
        )
    return pg_restore


def restore_postgresql(connection: BaseDatabaseWrapper, dump: Path, *, pg_restore: str, clean: bool) -> None:
    """Runs pg_restore into the configured database in one transaction; `clean` drops the dump's objects first."""
    connection.close()
    settings_dict = connection.settings_dict
    dbname = settings_dict.get("NAME") or f"service={settings_dict.get('OPTIONS', {}).get('service', '')}"
    # --no-owner / --no-privileges: the restored objects belong to the configured user, whatever
    # role owned them on the server that was backed up.
    if clean:
        _replace_postgresql(dump, dbname=dbname, pg_restore=pg_restore, settings_dict=settings_dict)
    else:
        argv = [
            pg_restore, f"--dbname={dbname}", "--no-password", "--no-owner", "--no-privileges",
            "--single-transaction", "--exit-on-error",
        ]
        _run_pg_tool([*argv, str(dump)], settings_dict)
    # A restore brings no planner statistics: gather them now rather than after slow first pages.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()


def _replace_postgresql(dump: Path, *, dbname: str, pg_restore: str, settings_dict: dict) -> None:
    """`--force` on a database that holds tables: its `public` schema dropped and the dump restored, in
    one transaction (psql `--single-transaction`), so a failure leaves the database as it was.

    Not `pg_restore --clean`: it drops objects one by one, and PostgreSQL refuses to drop a
    partition's inherited primary key (the observations are partitioned by month).
    """
    psql = _find_pg_tool("psql")
    env = {**os.environ, **_libpq_environment(settings_dict)}
    try:
        script = subprocess.run(  # noqa: S603 (a PostgreSQL tool found on PATH, arguments built here)
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            env=env, capture_output=True, check=False,
        )
        if script.returncode != 0:
            raise BackupError(f"pg_restore failed (exit status {script.returncode}): {script.stderr.decode().strip()}")
        prologue = b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n"
        result = subprocess.run(  # noqa: S603 (a PostgreSQL tool found on PATH, arguments built here)
            [psql, f"--dbname={dbname}", "--no-password", "--quiet", "--no-psqlrc", "--single-transaction",
             "--set=ON_ERROR_STOP=1", "--file=-"],
            input=prologue + script.stdout, env=env, capture_output=True, check=False,
        )
    except OSError as exc:
        raise BackupError(f"the PostgreSQL client tools could not start: {exc}") from exc
    if result.returncode != 0:
        raise BackupError(f"psql failed (exit status {result.returncode}): {result.stderr.decode().strip()}")


def _find_pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} not found on PATH: install the PostgreSQL client tools of the server's major version "
            "(Debian: apt-get install postgresql-client)."
        )
    return path


def _get_pg_tool_version(path: str) -> tuple[int, str]:
    try:
        output = subprocess.run(  # noqa: S603 (a PostgreSQL tool found on PATH, fixed arguments)
            [path, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"{path} --version failed: {exc}") from exc
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", output)
    if match is None:
        raise BackupError(f"{path} --version printed {output!r}: not a PostgreSQL client tool.")
    return int(match.group(1)), output


def _libpq_environment(settings_dict: dict) -> dict[str, str]:
    """The connection as libpq environment variables: the password never on a command line or in output."""
    environment = {}
    for key, variable in (
        ("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")
    ):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS", {})
    for option in ("service", "passfile", "sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(option):
            environment[f"PG{option.upper()}"] = str(options[option])
    return environment


def _run_pg_tool(argv: list[str], settings_dict: dict) -> None:
    tool = Path(argv[0]).name
    try:
        result = subprocess.run(  # noqa: S603 (a PostgreSQL tool found on PATH, arguments built here)
            argv, env={**os.environ, **_libpq_environment(settings_dict)}, capture_output=True, text=True
        )
    except OSError as exc:
        raise BackupError(f"{tool} could not start: {exc}") from exc
    if result.returncode != 0:
        raise BackupError(f"{tool} failed (exit status {result.returncode}): {result.stderr.strip()}")
