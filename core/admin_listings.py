"""For the administration's listings: the records each row names are fetched with the rows."""


class ListSelectRelated:
    """Mix into a Wagtail ModelViewSet whose rows name related records (a membership's member, a period's
    project, a window's counselor): `list_select_related` names them, and the listing fetches them in its
    own query instead of one query per row."""

    list_select_related: tuple = ()

    def get_index_view_kwargs(self, **kwargs):
        queryset = self.model._default_manager.all()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return super().get_index_view_kwargs(queryset=queryset, **kwargs)
