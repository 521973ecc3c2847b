"""Django's own texts that its bundled zh_Hans catalog does not translate yet, marked here so
that Relay's catalog (``locale/``, which comes first) carries them.

Django 6 added ``BLANK_CHOICE_LABEL`` ("- Select an option -", the empty choice of every
optional select); its zh_Hans catalog has no entry for it, so a Chinese form showed it in
English. Drop a line here once Django's catalog translates it.
"""

from django.utils.translation import gettext_noop

DJANGO_TEXTS = (gettext_noop("- Select an option -"),)
