"""axe-core (vendored, MPL-2.0) for the browser tests: WCAG 2.2 AA, serious and critical findings fail."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "website" / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_in_every_document(context):
    """axe-core in every document the browser context opens, given to the browser once: injected page by page,
    sending and compiling its 600 KB took half of what axe cost the accessibility crawl."""
    context.add_init_script(path=str(AXE))


def axe_problems(page, *, nodes=5):
    """Serious and critical violations of the page as it is now; details are gathered for violations only.
    A page whose context was not given axe gets it injected, which its Content-Security-Policy refuses unless
    the context bypasses it: contexts given axe check the pages under their real policy."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['html'][:120] for n in v['nodes']][:nodes]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def reflow_problem(page):
    """On a phone a page scrolls up and down only (WCAG 1.4.10, Reflow): how much wider it is, or None. A wide
    table scrolls inside its own box and does not count."""
    wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    return f"{wider}px wider than the screen" if wider > 0 else None
