"""`citypocket clock`: the scheduler process. It enqueues each app's periodic tasks; the worker runs them.

Each app declares its periodic jobs in `<app>/schedule.py`, as tasks with a crontab schedule
(django-crontask's `@cron`, times in settings.TIME_ZONE). Running a job is the worker's business:
the clock only enqueues, so a slow job never delays the next one and a second clock would only
enqueue twice (with REDIS_URL set, a lock in Redis keeps a single clock running).
"""

import importlib

from crontask.management.commands.crontask import Command as CrontaskCommand
from django.apps import apps
from django.utils.module_loading import module_has_submodule

SCHEDULE_MODULE = "schedule"


def load_schedules() -> list[str]:
    """Imports every installed app's `schedule` module (which registers its jobs); their app names."""
    loaded = []
    for app in apps.get_app_configs():
        if module_has_submodule(app.module, SCHEDULE_MODULE):
            importlib.import_module(f"{app.name}.{SCHEDULE_MODULE}")
            loaded.append(app.name)
    return loaded


class Command(CrontaskCommand):
    help = "Run the clock: enqueue every app's periodic tasks (<app>/schedule.py) on their schedule."

    def load_tasks(self, options):
        for name in load_schedules():
            self.stdout.write(f"Loaded the schedule of {name}.")
