# Replaced by the events pages work: every view named in urls.py is implemented there.
from django.http import Http404


def _missing(request, **kwargs):
    raise Http404


event_list = event_detail = event_ics = calendar_feed = _missing
