"""Django's translation catalogs merged under one plural rule (core.i18n): the same texts, fewer catalogs."""

import pytest
from django.conf import settings
from django.utils.translation import trans_real

from core.i18n import MergingTranslationCatalog

ORIGINAL = MergingTranslationCatalog.__mro__[1]  # Django's own TranslationCatalog


def _built(monkeypatch, language, catalog_class):
    with monkeypatch.context() as patched:
        patched.setattr(trans_real, "TranslationCatalog", catalog_class)
        return trans_real.DjangoTranslation(language)._catalog


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_merged_catalogs_give_every_text_django_gives(monkeypatch, language):
    djangos = _built(monkeypatch, language, ORIGINAL)
    merged = _built(monkeypatch, language, MergingTranslationCatalog)
    keys = set(djangos.keys())
    assert len(keys) > 1000 or language.startswith("en")
    assert keys == set(merged.keys())
    assert {key: merged.get(key) for key in keys} == {key: djangos.get(key) for key in keys}
    plurals = {key[0] for key in keys if isinstance(key, tuple)}
    for count in (0, 1, 2, 3, 5, 11, 21, 22, 101):
        for msgid in plurals:
            try:
                expected = djangos.plural(msgid, count)
            except KeyError:
                expected = None
            try:
                found = merged.plural(msgid, count)
            except KeyError:
                found = None
            assert found == expected, (msgid, count)
    # Django 6.1 keeps every app's catalog apart; once it merges them itself, core.i18n can go.
    assert len(merged._catalogs) < len(djangos._catalogs)
    assert len(merged._catalogs) <= 5


def test_the_running_translations_are_merged():
    assert trans_real.TranslationCatalog is MergingTranslationCatalog
    for code, _name in settings.LANGUAGES:
        assert isinstance(trans_real.translation(code)._catalog, MergingTranslationCatalog)
