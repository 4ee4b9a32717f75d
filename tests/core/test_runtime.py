"""A serving process freezes what it holds once loaded (core.runtime), through either entry point."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
import {module}
print(json.dumps({{"frozen": gc.get_freeze_count(), "views": "counseling.views" in sys.modules,
                  "hooks": "cases.wagtail_hooks" in sys.modules}}))
"""


@pytest.mark.parametrize("module", ["website.wsgi", "website.asgi"])
def test_the_entry_point_loads_the_views_and_hooks_then_freezes_the_heap(module):
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env={**os.environ, "HAVEN_TESTING": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["views"] and state["hooks"], state  # what a first request would load, loaded before freezing
    assert state["frozen"] > 100_000, state  # Django, Wagtail and the apps: out of the collector's walks
