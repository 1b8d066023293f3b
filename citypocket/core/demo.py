"""Demo data registry: each app contributes an idempotent loader, run by `citypocket load_demo`."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLoader:
    name: str
    order: int
    load: Callable[[], str]  # returns a one-line summary of what it ensured


_loaders: dict[str, DemoLoader] = {}


def register_demo_loader(name: str, load: Callable[[], str], *, order: int = 100) -> None:
    _loaders[name] = DemoLoader(name=name, order=order, load=load)


def list_demo_loaders() -> list[DemoLoader]:
    return sorted(_loaders.values(), key=lambda loader: (loader.order, loader.name))
