"""Every interface message must be translated into Danish and Serbian (Latin): no empty and no fuzzy entries."""

import os
import re
from pathlib import Path

import polib
from django.conf import settings

REQUIRED_LANGUAGES = {"da", "sr_Latn"}


def po_files(*bases, domain="*"):
    """The message files of the project's catalogs (all of them, or those under `bases`; of one domain)."""
    return sorted(
        path for base in bases or settings.LOCALE_PATHS for path in Path(base).glob(f"*/LC_MESSAGES/{domain}.po")
    )


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


def _key(entry):
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def test_every_string_in_the_code_is_in_the_message_files(tmp_path, settings, monkeypatch):
    """ "Translated" means extracted too: a string added to the code but never extracted is caught here.

    The strings are extracted afresh, as `make messages` does, into a scratch folder and compared with the
    project's .po files.
    """
    import shutil

    import pytest
    from django.core.management import call_command

    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    # makemessages writes next to the code it finds under the current folder: its message files, and a
    # Python copy of each template beside the template while it reads it. It works here in a copy of the
    # project's folders whose files are links to the project's: all it writes stays in the scratch folder.
    # (With links to the folders themselves, those copies appeared among the project's templates for a moment,
    # where the other worker's tests that read every Python file of the project could meet them.)
    skipped = {"locale", "bench", "tests", "staticfiles", "node_modules", "media", "var", "test-artifacts"}
    source = tmp_path / "source"
    for folder, folders, files in os.walk(settings.BASE_DIR):
        here = Path(folder)
        folders[:] = [name for name in folders if not (here == settings.BASE_DIR and name in skipped)]
        folders[:] = [name for name in folders if name != "__pycache__" and not name.startswith(".")]
        copy = source / here.relative_to(settings.BASE_DIR)
        copy.mkdir(parents=True, exist_ok=True)
        for name in files:
            (copy / name).symlink_to(here / name)
    monkeypatch.chdir(source)
    project_locale = Path(settings.LOCALE_PATHS[0])
    settings.LOCALE_PATHS = [tmp_path / "locale"]  # where makemessages writes what it extracted
    call_command(
        "makemessages",
        locale=["da"],
        no_location=True,
        ignore_patterns=["staticfiles", "node_modules", "var"],
        verbosity=0,
    )
    extracted_file = tmp_path / "locale" / "da" / "LC_MESSAGES" / "django.po"
    assert extracted_file.exists()
    extracted = {_key(e) for e in polib.pofile(str(extracted_file)) if e.msgid}
    assert len(extracted) > 500
    # Against the project's own message files. (They were compared with the file just extracted, which
    # has every string: a string missing from the project's files went unnoticed.)
    catalogs = po_files(project_locale, domain="django")
    assert {path.parent.parent.name for path in catalogs} >= REQUIRED_LANGUAGES, catalogs
    for path in catalogs:
        known = {_key(e) for e in polib.pofile(str(path)) if not e.obsolete}
        missing = sorted(extracted - known)
        assert not missing, (
            f"{path.parent.parent.name}: {len(missing)} string(s) of the code are not in the message file "
            "(run `make messages`, then translate them):\n" + "\n".join(missing[:50])
        )


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy", "npgettext"}


def test_no_string_is_translated_inside_an_f_string(settings):
    """The message extractor does not read inside an f-string: a word translated there is never extracted, and
    the next `make messages` leaves its translation behind as obsolete (English on every page)."""
    import ast

    skipped = {"locale", ".git", ".venv", "bench", "tests", "staticfiles", "node_modules", "media", "var"}
    found = []
    for path in sorted(settings.BASE_DIR.rglob("*.py")):
        if skipped & set(path.relative_to(settings.BASE_DIR).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and getattr(inner.func, "id", None) in GETTEXT_NAMES:
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{inner.lineno}")
    assert not found, "translated inside an f-string (translate it first, then format):\n" + "\n".join(found)


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_wagtails_strings_kept_here_are_wagtails_and_not_the_projects():
    """The second catalog holds Wagtail's own strings that Wagtail leaves untranslated (its pages' and its
    scripts'): each must still be one of Wagtail's (an upgrade that rewords one leaves ours unused) and not one
    of the project's, whose own translation would win and leave ours unused too."""
    from functools import cache

    import wagtail

    @cache
    def wagtails(domain):
        found = Path(wagtail.__file__).parent.glob(f"**/locale/en/LC_MESSAGES/{domain}.po")
        return {entry.msgid for path in found for entry in polib.pofile(str(path))}

    @cache
    def ours(domain):
        found = po_files(settings.LOCALE_PATHS[0], domain=domain)
        return {entry.msgid for path in found for entry in polib.pofile(str(path))}

    kept = po_files(settings.LOCALE_PATHS[1])
    assert {(path.parent.parent.name, path.stem) for path in kept} == {
        (language, domain) for language in REQUIRED_LANGUAGES for domain in ("django", "djangojs")
    }
    for path in kept:
        msgids = {entry.msgid for entry in polib.pofile(str(path))}
        assert len(msgids) > 50
        assert not msgids - wagtails(path.stem), (
            f"{path}: not Wagtail's strings: {sorted(msgids - wagtails(path.stem))[:10]}"
        )
        shadowed = sorted(msgids & ours(path.stem))
        assert not shadowed, f"{path}: the project's own catalog has these: {shadowed[:10]}"
        # A placeholder the translation renames or drops fails when Wagtail fills it in: a page that errors.
        for entry in polib.pofile(str(path)):
            wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
            for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
                assert set(PLACEHOLDER.findall(text)) == wanted, f"{path}: {entry.msgid!r} -> {text!r}"


ALLAUTHS_OTHER_WORDS = re.compile(r"\b[Pp]assword|\b[Ee]mail")
PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]|\{\w+\}|%s|%d")


def _other_words(text):
    """Where the text says "password" or "email" (not "e-mail"), its placeholders aside."""
    return ALLAUTHS_OTHER_WORDS.search(PLACEHOLDERS.sub("", text))


def test_allauths_danish_kept_here_says_adgangskode_and_e_mail_as_the_project_does():
    """allauth's Danish says "password" and "emailadresse" where the project says "adgangskode" and
    "e-mailadresse": its strings that do are kept in the third catalog in the project's words. Each is still
    one of allauth's (an upgrade that rewords one leaves it unused) and not the project's, keeps its
    placeholders, and none of allauth's Danish strings that say it the other way is left out."""
    import allauth

    allauths = polib.pofile(str(Path(allauth.__file__).parent / "locale" / "da" / "LC_MESSAGES" / "django.po"))
    ours = {entry.msgid for entry in polib.pofile(str(Path(settings.LOCALE_PATHS[0]) / "da/LC_MESSAGES/django.po"))}
    (kept_path,) = po_files(settings.LOCALE_PATHS[2])
    kept = {entry.msgid: entry for entry in polib.pofile(str(kept_path))}
    assert not set(kept) - {entry.msgid for entry in allauths}
    assert not set(kept) & ours
    for entry in kept.values():
        wanted = set(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            assert set(PLACEHOLDER.findall(text)) == wanted, entry.msgid
            assert not _other_words(text), text
    left = [
        entry.msgid
        for entry in allauths
        if entry.translated()
        and not entry.obsolete
        and entry.msgid not in ours
        and entry.msgid not in kept
        and "(ENTER)" not in entry.msgid  # a sign-in provider's settings: scopes are names, not words
        and _other_words(entry.msgstr or "".join(entry.msgstr_plural.values()))
    ]
    assert not left, left[:10]


def test_the_password_pages_say_adgangskode_in_danish(django_app, make_user):
    from django.urls import reverse

    from accounts.enums import Role
    from accounts.models import Profile

    trainee = make_user(Role.TRAINEE)
    Profile.objects.filter(user=trainee).update(preferred_language="da")
    for name in ("account_change_password", "account_reset_password", "account_email"):
        page = django_app.get(reverse(name), user=trainee.username)
        words = " ".join(page.html.find("main").get_text(" ").split())
        assert "dgangskode" in words or "e-mail" in words, (name, words)
        assert not _other_words(words), (name, words)


def test_each_language_says_email_and_password_one_way():
    """The words the sign-in pages (allauth's catalogs) use, in the project's own strings too: Serbian says
    e-pošta, where it also said imejl; Danish says e-mail and adgangskode."""
    other_words = {"sr_Latn": re.compile(r"\bimejl", re.IGNORECASE), "da": ALLAUTHS_OTHER_WORDS}
    for language, words in other_words.items():
        path = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"
        said = [
            entry.msgid
            for entry in polib.pofile(str(path))
            if not entry.obsolete
            and any(words.search(PLACEHOLDERS.sub("", text)) for text in [entry.msgstr, *entry.msgstr_plural.values()])
        ]
        assert not said, (language, said[:5])
