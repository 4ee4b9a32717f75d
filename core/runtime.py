"""A serving process's start: what it holds from then on is kept out of the garbage collector's walks.

A process that has loaded Django, Wagtail, every app and SciPy holds about 190,000 objects that live as long as
it does. Python's collector walks all of them on every full collection, and a request that allocates much (a
donor report counted afresh and protected at ten times the bench's data set: some tens of thousands of cells,
rows and dictionaries) sets off several: at that size they took a fifth of the report's protection and of its
figures (bench/README.md). Frozen, they are no longer walked; cycles made later are still collected.
"""

import gc


def startup_heap_frozen() -> int:
    """Everything the process holds now, collected once and then frozen out of the collector's sight: how
    many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def serving_process_ready() -> int:
    """Load what a first request would (the URL configuration with every view module, Wagtail's hooks, the
    version of the code its kept pages are written by), then freeze the heap: called by the WSGI and ASGI
    entry points once the application is made."""
    from django.urls import get_resolver
    from wagtail import hooks

    from core.pagecache import code_version

    get_resolver().url_patterns  # noqa: B018 - the property imports every view module
    hooks.search_for_hooks()
    code_version()  # read once, before the first request (some thirty milliseconds)
    return startup_heap_frozen()
