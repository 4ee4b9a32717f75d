"""The administration is a door to case work only where it goes through the services: the case (its
handover) and the list of institutions. Every other case record (journal, plans, consent, referrals,
children, aftercare, CTI, conferences) is reached through the case pages alone; a new admin screen for one
of them must be a decision, made here, with its own tests."""

from django.apps import apps
from django.urls import get_resolver


def _admin_models() -> set[str]:
    from wagtail.admin.viewsets import viewsets

    get_resolver().url_patterns  # noqa: B018 - the admin's viewsets register as its URLs load
    found = set()
    for viewset in viewsets.viewsets:
        for item in getattr(viewset, "viewsets", None) or [viewset]:
            model = getattr(item, "model", None)
            if model is not None and not isinstance(model, str):
                found.add(model._meta.label)
    return found


def test_no_case_record_has_an_admin_screen_but_the_case_and_institutions():
    case_models = {model._meta.label for model in apps.get_app_config("cases").get_models()}
    assert _admin_models() & case_models == {"cases.Case", "cases.Institution"}
