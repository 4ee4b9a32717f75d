"""The indicators a donor report lists: the registered measures offered as indicators (reporting.measures).

INDICATORS reads the registry when first asked, so that it holds whatever the installed activity apps
registered in their AppConfig.ready().
"""

from collections.abc import Mapping

from reporting.measures import COUNT, PERCENT, figures_cache, registry

__all__ = ["COUNT", "INDICATORS", "PERCENT", "figures_cache", "indicator_choices"]


class _Indicators(Mapping):
    def __getitem__(self, code):
        return registry().indicators[code]

    def __iter__(self):
        return iter(registry().indicators)

    def __len__(self):
        return len(registry().indicators)


INDICATORS = _Indicators()


def indicator_choices():
    return [(code, measure.label) for code, measure in registry().indicators.items()]
