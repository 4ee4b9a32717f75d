"""Wagtail admin views for survivor records: every list, opening, creation, change and deletion is audited.

A ModelViewSet of members, memberships, clients or compelled disclosures sets `AuditedViewSetMixin` first
in its bases (audit/signals.py keeps her alias out of Wagtail's own history log).
"""

from wagtail.admin.views import generic

from audit.enums import AuditAction
from audit.services import audit_record, audit_record_many


class AuditedIndexView(generic.IndexView):
    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["object_list"] = listed = list(context["object_list"])
        audit_record_many(
            actor=self.request.user, action=AuditAction.VIEW, objects=listed, request=self.request, detail="admin list"
        )
        return context


class AuditedCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        audit_record(actor=self.request.user, action=AuditAction.CREATE, obj=instance, request=self.request)
        return instance


class _AuditedOpeningMixin:
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=self.object, request=request, detail="admin")
        return response


class AuditedEditView(_AuditedOpeningMixin, generic.EditView):
    def save_instance(self):
        instance = super().save_instance()
        audit_record(actor=self.request.user, action=AuditAction.CHANGE, obj=instance, request=self.request)
        return instance


class AuditedInspectView(_AuditedOpeningMixin, generic.InspectView):
    pass


class AuditedDeleteView(generic.DeleteView):
    def delete_action(self):
        # Recorded first: afterwards the object has no primary key left to name.
        audit_record(actor=self.request.user, action=AuditAction.DELETE, obj=self.object, request=self.request)
        super().delete_action()


class AuditedViewSetMixin:
    index_view_class = AuditedIndexView
    add_view_class = AuditedCreateView
    edit_view_class = AuditedEditView
    inspect_view_class = AuditedInspectView
    delete_view_class = AuditedDeleteView
