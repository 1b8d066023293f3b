"""A web process loads at its start what Django would load at the first requests (core.warmup): a new
process, as gunicorn makes one, has the URLconf, both languages' URL tables and catalogues and the
project's compiled templates before it serves anything."""

import json
import os
import subprocess
import sys
from pathlib import Path

from citypocket.core.warmup import project_templates

PROJECT_DIR = Path(__file__).resolve().parents[3]

PROBE = """
import json, sys
before = "citypocket.urls" in sys.modules
import citypocket.wsgi
from django.template import engines
from django.urls import get_resolver
from django.utils.translation import trans_real
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "urls_before": before,
    "urls": "citypocket.urls" in sys.modules and "citypocket.core.api" in sys.modules,
    "reverse": sorted(get_resolver()._reverse_dict),
    "catalogues": sorted(trans_real._translations),
    "templates": sorted(loader.get_template_cache),
}))
"""


def test_a_new_web_process_is_loaded_before_its_first_request(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3", "SIMULATOR": "off",
           "DJANGO_SETTINGS_MODULE": "citypocket.settings", "CITYPOCKET_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_DIR, env=env, capture_output=True,
                            text=True, timeout=120, check=True)
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["urls_before"] is False and loaded["urls"] is True
    assert {"fr", "en"} <= set(loaded["reverse"]) and {"fr", "en"} <= set(loaded["catalogues"])
    names = project_templates()
    assert {"core/city_home.html", "air/tile.html"} <= set(names)
    assert set(names) <= set(loaded["templates"])
