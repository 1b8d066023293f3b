"""The clock: every app's periodic jobs are registered from `<app>/schedule.py`, `citypocket run` starts
the clock process, and that process starts, loads the schedules and stops cleanly."""

import os
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from crontask import scheduler

from citypocket.air.models import AirIndexDaily
from citypocket.core.management.commands.clock import load_schedules
from citypocket.core.management.commands.run import Command as RunCommand
from citypocket.sensors.tests.factories import air_sensor
from testsupport import database_url

PROJECT_DIR = Path(__file__).resolve().parents[3]
PARIS = ZoneInfo("Europe/Paris")

EXPECTED = {
    # job name -> (a moment, the next time it fires after that moment)
    "refresh_air_indices": (datetime(2026, 3, 29, 1, 58), datetime(2026, 3, 29, 3, 0)),
    "fetch_official_air_indices": (datetime(2026, 6, 1, 9, 21), datetime(2026, 6, 1, 10, 20)),
    "send_daily_digests": (datetime(2026, 6, 1, 7, 1), datetime(2026, 6, 2, 7, 0)),
    "send_weekly_digests": (datetime(2026, 6, 1, 7, 1), datetime(2026, 6, 8, 7, 0)),
    "send_waste_reminders": (datetime(2026, 6, 1, 17, 1), datetime(2026, 6, 1, 18, 0)),
    "purge_expired_safety_data": (datetime(2026, 6, 1, 4, 0), datetime(2026, 6, 2, 3, 30)),
    "poll_sensor_feeds": (datetime(2026, 6, 1, 9, 1), datetime(2026, 6, 1, 9, 5)),
    "maintain_observation_partitions": (datetime(2026, 6, 1, 9, 1), datetime(2026, 6, 2, 3, 17)),
    "sync_catalogs": (datetime(2026, 6, 1, 9, 1), datetime(2026, 6, 1, 9, 15)),
    "harvest_sources": (datetime(2026, 6, 1, 9, 38), datetime(2026, 6, 1, 10, 37)),
    "import_event_feeds": (datetime(2026, 6, 1, 9, 41), datetime(2026, 6, 1, 10, 40)),
    "rebuild_search_index": (datetime(2026, 6, 1, 9, 41), datetime(2026, 6, 2, 4, 25)),
    "extend_occurrences": (datetime(2026, 6, 1, 9, 41), datetime(2026, 6, 2, 3, 15)),
}


def test_every_schedule_is_loaded_with_its_times():
    """Each job fires when its docstring says, in the platform's time zone (a DST night included)."""
    loaded = load_schedules()
    assert {"citypocket.air", "citypocket.notifications", "citypocket.safety", "citypocket.sensors"} <= set(loaded)
    jobs = {job.name: job for job in scheduler.get_jobs()}
    for name, (moment, expected) in EXPECTED.items():
        assert name in jobs, name
        fires = jobs[name].trigger.get_next_fire_time(None, moment.replace(tzinfo=PARIS))
        assert fires == expected.replace(tzinfo=PARIS), name


def test_a_job_enqueues_its_task_and_the_task_runs(rouen):
    """The clock only enqueues (the worker runs the task); run here, the air job stores today's index."""
    air_sensor(rouen, "FR25036")
    load_schedules()
    jobs = {job.name: job for job in scheduler.get_jobs()}
    job = jobs["refresh_air_indices"]
    result = job.func()  # the task's enqueue: the test settings run tasks at once
    assert result.return_value["rouen"] == 0  # no readings yet: unavailable, never "good"
    assert AirIndexDaily.objects.filter(city=rouen, station__isnull=True, date=rouen.local_today()).exists()


def test_run_starts_the_clock_next_to_web_worker_and_ingest():
    names = [name for name, _ in RunCommand().processes(host="127.0.0.1", port=8000, web_workers=1)]
    assert names[:3] == ["web", "worker", "clock"]


@pytest.mark.django_db(transaction=True)
def test_the_clock_process_loads_the_schedules_and_stops_on_sigterm():
    clock = dict(RunCommand().processes(host="127.0.0.1", port=8000, web_workers=1))["clock"]
    env = {**os.environ, "DATABASE_URL": database_url(), "SIMULATOR": "off", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(clock, cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if "Starting scheduler" in line:
                time.sleep(2)  # into the scheduler's loop, where SIGTERM is a clean stop
                break
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    output = "".join(lines) + rest
    assert "Loaded the schedule of citypocket.air." in output
    assert "Loaded the schedule of citypocket.sensors." in output
    assert process.returncode == 0, output
