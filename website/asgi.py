import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings")
application = get_asgi_application()

from core.runtime import serving_process_ready  # noqa: E402 - needs the apps the line above loads

serving_process_ready()
