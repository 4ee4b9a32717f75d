"""Browser journeys: each role's daily walk at a phone's and a laptop's size (screenshots: tests/conftest.py)."""

import pytest

PASSWORD = "a-long-test-pass"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
SIZES = {"phone": PHONE, "laptop": LAPTOP}


def log_in(page, base_url, user, *, password=PASSWORD):
    from django.urls import reverse

    page.goto(f"{base_url}{reverse('account_login')}")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=login]) button[type=submit]").click()
    page.wait_for_load_state()


def overlapping_header_controls(page):
    """Pairs of visible header controls whose boxes overlap, and controls another element covers."""
    return page.evaluate(
        """() => {
        const selector = ['.exit-bar a', 'header a', 'header button', 'header select',
            'header input:not([type=hidden])']
            .join(', ');
        const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
            return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.display !== 'none'; };
        const controls = [...document.querySelectorAll(selector)].filter(visible);
        const name = el => (el.textContent || el.name || el.tagName).trim().replace(/\\s+/g, ' ').slice(0, 40);
        const problems = [];
        for (let i = 0; i < controls.length; i++) {
            const a = controls[i].getBoundingClientRect();
            for (let j = i + 1; j < controls.length; j++) {
                if (controls[i].contains(controls[j]) || controls[j].contains(controls[i])) continue;
                const b = controls[j].getBoundingClientRect();
                const apart = a.right - 0.5 <= b.left || b.right - 0.5 <= a.left
                    || a.bottom - 0.5 <= b.top || b.bottom - 0.5 <= a.top;
                if (!apart) {
                    problems.push(`${name(controls[i])} overlaps ${name(controls[j])}`);
                }
            }
            const x = a.left + a.width / 2, y = a.top + a.height / 2;
            const hit = document.elementFromPoint(x, y);
            if (hit && hit !== controls[i] && !controls[i].contains(hit) && !hit.contains(controls[i])) {
                problems.push(`${name(controls[i])} is covered by ${hit.tagName}.${hit.className}`);
            }
        }
        return problems;
    }"""
    )


@pytest.fixture
def journey_page(browser, live_server):
    """open(size) -> a new page of a fresh browser context at that size, under the pages' own security policy."""
    contexts = []

    def _open(size="laptop", **options):
        viewport = SIZES[size] if isinstance(size, str) else size
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
