from django.utils import timezone

from bench import dataset
from reporting.enums import PeriodStatus
from tests.bench.conftest import SMALL


def test_dataset_holds_what_sizes_asks_for_around_today(small_dataset, django_assert_max_num_queries):
    assert dataset.dataset_counts(small_dataset) == SMALL
    with django_assert_max_num_queries(1):
        assert dataset.dataset_ensure() == small_dataset  # built once, then found
    today = timezone.localdate()
    assert dataset.dataset_built_on(small_dataset) == today
    # Every ended quarter but the latest is locked; the latest is the one being reported.
    ended = [p.status for p in small_dataset.periods.filter(end_date__lt=today).order_by("start_date")]
    assert ended[-1] == PeriodStatus.OPEN
    assert set(ended[:-1]) <= {PeriodStatus.LOCKED}
    assert small_dataset.cohorts.filter(sessions__start__gt=timezone.now()).exists()
    assert small_dataset.editions.filter(start_date__gt=today).exists()
