"""System checks of this app.

Django warns (templates.W003) when one template library name stands for two modules. The admin's
`wagtailadmin_tags` does so on purpose (accounts.admin_tags replaces Wagtail's, settings.TEMPLATES), so
that warning is silenced in settings and this check gives every other case of it.
"""

from collections import defaultdict

from django.core import checks

DELIBERATE = {"wagtailadmin_tags": {"accounts.admin_tags", "wagtail.admin.templatetags.wagtailadmin_tags"}}


@checks.register(checks.Tags.templates)
def template_libraries_named_once(app_configs=None, **kwargs):
    from django.template import engines
    from django.template.backends.django import DjangoTemplates, get_template_tag_modules

    found = []
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        libraries = defaultdict(set)
        for name, module in [*get_template_tag_modules(), *engine.engine.libraries.items()]:
            libraries[name].add(module)
        found += [
            checks.Warning(
                f"{name!r} is used for multiple template tag modules: {', '.join(sorted(modules))}",
                obj=engine,
                id="accounts.W003",
            )
            for name, modules in libraries.items()
            if len(modules) > 1 and modules != DELIBERATE.get(name)
        ]
    return found
