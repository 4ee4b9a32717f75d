"""Background work for case work. Thin: take plain values, call a service."""

from django.tasks import task

from cases import services


@task
def case_handover_notify(*, case_id: int, counselor_ids: list[int]) -> int:
    return services.case_handover_notify(case_id=case_id, counselor_ids=counselor_ids)
