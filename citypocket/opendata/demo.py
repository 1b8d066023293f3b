"""Demo: the catalogs of the demo cities, synced after every other app has loaded its demo data."""

from citypocket.opendata.services import sync_platform_datasets


def load_demo() -> str:
    """Idempotent: brings every active city's catalog in step with the data just loaded."""
    datasets = sync_platform_datasets()
    return f"{len(datasets)} datasets in the city catalogs"
