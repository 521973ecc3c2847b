import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.checks import fail_fast_on_start  # noqa: E402  (needs the settings loaded above)

fail_fast_on_start()
