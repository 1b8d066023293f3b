"""Processes of a city and what is open now (for the city-home tile and the participate page)."""

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from citypocket.core.problems import NotFound
from citypocket.participation.models import ActionResult, Notification, Phase, Process


def list_processes(*, city) -> QuerySet[Process]:
    return (Process.objects.filter(city=city, is_published=True)
            .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("starts_at"))))


def get_process(*, city, slug: str) -> Process:
    process = list_processes(city=city).filter(slug=slug).first()
    if process is None:
        raise NotFound("No such process.")
    return process


@dataclass(frozen=True)
class OpenNow:
    process: Process
    phase: Phase


def list_open_now(*, city, when=None) -> list[OpenNow]:
    """Published processes with a phase running now, the phase that ends first on top."""
    when = when or timezone.now()
    running = []
    for process in list_processes(city=city):
        phase = process.phase_at(when)
        if phase is not None:
            running.append(OpenNow(process=process, phase=phase))
    return sorted(running, key=lambda item: item.phase.ends_at)


def list_results(*, city, process=None):
    """Accountability results with their milestones and origins (a fixed number of queries)."""
    results = (ActionResult.objects.filter(city=city, process__is_published=True)
               .select_related("process").prefetch_related("milestones", "proposals", "projects"))
    if process is not None:
        results = results.filter(process=process)
    return results


def get_result(*, city, result_id: int):
    result = list_results(city=city).filter(pk=result_id).first()
    if result is None:
        raise NotFound("No such result.")
    return result


def list_notifications(*, user, city):
    """The user's notifications in this city, newest first."""
    return Notification.objects.filter(user=user, city=city).order_by("-created_at", "-id")
