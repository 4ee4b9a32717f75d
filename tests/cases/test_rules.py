"""Every "may she do this?" of case work is a named rule in cases/rules.py."""

import ast
from pathlib import Path

import cases

ROLE_CHECKS = {"has_role", "user_roles", "is_staff_role", "Role"}
ASKED_ONLY_IN_RULES = ["views.py", "services.py", "selectors.py", "forms.py", "panels.py", "wagtail_hooks.py"]


def _names(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.ImportFrom):
            yield from (alias.name for alias in node.names)


def test_no_role_check_outside_the_rules():
    folder = Path(cases.__file__).parent
    found = {name: sorted(set(_names(folder / name)) & ROLE_CHECKS) for name in ASKED_ONLY_IN_RULES}
    assert found == dict.fromkeys(ASKED_ONLY_IN_RULES, [])


def test_views_and_services_ask_the_same_named_rules():
    folder = Path(cases.__file__).parent
    rules_text = (folder / "rules.py").read_text()
    asked = set()
    for name in ("views.py", "services.py"):
        tree = ast.parse((folder / name).read_text())
        asked |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("cases.")
        }
    assert asked, "no rule is asked"
    assert {perm for perm in asked if f'"{perm}"' not in rules_text} == set()
