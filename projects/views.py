# Replaced by the projects pages work: every view named in urls.py is implemented there.
from django.http import Http404


def _missing(request, **kwargs):
    raise Http404


project_list = project_detail = review_queue = catalog_list = catalog_detail = _missing
