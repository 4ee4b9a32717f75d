"""Every interface message must be translated into Danish and Serbian (Latin): no empty and no fuzzy entries."""

from pathlib import Path

import polib
from django.conf import settings

REQUIRED_LANGUAGES = {"da", "sr_Latn"}


def po_files():
    return sorted(path for base in settings.LOCALE_PATHS for path in Path(base).glob("*/LC_MESSAGES/*.po"))


def test_every_language_has_a_message_file():
    found = {path.parent.parent.name for path in po_files()}
    missing = REQUIRED_LANGUAGES - found
    assert not missing, (
        f"No .po file for {', '.join(sorted(missing))} under locale/: run `make messages` and translate them."
    )


def test_no_message_is_untranslated_or_fuzzy():
    problems = []
    for path in po_files():
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.obsolete:
                continue
            if entry.fuzzy:
                problems.append(f"{path.parent.parent.name}: fuzzy: {entry.msgid!r}")
            elif entry.msgid_plural:
                if not all(entry.msgstr_plural.get(i) for i in range(max(len(entry.msgstr_plural), 1))):
                    problems.append(f"{path.parent.parent.name}: untranslated plural: {entry.msgid!r}")
            elif not entry.msgstr:
                problems.append(f"{path.parent.parent.name}: untranslated: {entry.msgid!r}")
    assert po_files(), "No .po files found under locale/: run `make messages` and translate them."
    assert not problems, f"{len(problems)} message(s) need translating:\n" + "\n".join(problems[:50])
