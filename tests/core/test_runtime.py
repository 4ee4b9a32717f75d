"""A serving process freezes what it holds once loaded (core.runtime), through either entry point."""

import json
import os

import pytest

from tests.helpers import python_run

PROBE = """
import gc, json, sys
import {module}
print(json.dumps({{"frozen": gc.get_freeze_count(), "views": "counseling.views" in sys.modules,
                  "hooks": "cases.wagtail_hooks" in sys.modules}}))
"""


@pytest.mark.parametrize("module", ["website.wsgi", "website.asgi"])
def test_the_entry_point_loads_the_views_and_hooks_then_freezes_the_heap(module):
    done = python_run(PROBE.format(module=module), env={**os.environ, "HAVEN_TESTING": "1"}, check=True)
    state = json.loads(done.stdout.strip().splitlines()[-1])
    assert state["views"] and state["hooks"], state  # what a first request would load, loaded before freezing
    assert state["frozen"] > 100_000, state  # Django, Wagtail and the apps: out of the collector's walks
