# Replaced by the pages work: every view named in urls.py is implemented there.
from django.http import Http404


def _missing(request, **kwargs):
    raise Http404


directory = organization_detail = organization_register = my_organization = _missing
application_detail = review_queue = invitation_accept = _missing
