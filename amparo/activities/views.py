"""Services given: list, record, detail (placeholder until the screens land)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def activity_list(request):
    raise Http404
