import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

from config.startup import require_secret_key  # noqa: E402 (needs the settings loaded)

require_secret_key()
