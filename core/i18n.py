"""Django's catalogs of translations, merged as Django means to merge them.

Django keeps the translations of an app in a catalog of their own when their plural rule differs from the
catalog above, and adds them to it when the rule is the same. In Django 6.1 TranslationCatalog.update()
compares the new catalog's plural function's code with the top catalog's plural function itself, which is
never equal: every app's translations stay a catalog of their own (21 in English and in Danish here), and
every string not in the first is looked for in each in turn (in English, every string). A page of four
hundred due items spent a tenth of its time there.

`catalogs_merge_install()` puts, in Django's place, a TranslationCatalog that compares code with code, as
the comment above Django's line says. Merging into the top catalog only, and only under the same rule, is
what putting the catalog above it would do: every text is the same (tests/core/test_i18n.py compares them
with Django's catalogs, for every string of every language). The test fails once Django merges by itself.
"""

from django.utils.translation import trans_real


class MergingTranslationCatalog(trans_real.TranslationCatalog):
    def update(self, trans):
        if trans.plural.__code__ == self._plurals[0].__code__:
            self._catalogs[0].update(trans._catalog)
        else:
            self._catalogs.insert(0, trans._catalog.copy())
            self._plurals.insert(0, trans.plural)


def catalogs_merge_install() -> None:
    """Catalogs built from now on merge (called before any is built: the apps' ready())."""
    if trans_real.TranslationCatalog is not MergingTranslationCatalog:
        trans_real.TranslationCatalog = MergingTranslationCatalog
        trans_real._translations = {}
        trans_real._default = None
