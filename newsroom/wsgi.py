import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
application = get_wsgi_application()

# What start-up loaded (modules, models, settings) lives as long as the process: leave it out of the collector's
# full passes, which otherwise scan all of it and pause a request for tens of milliseconds every few hundred.
gc.freeze()
