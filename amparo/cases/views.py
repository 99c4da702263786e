"""Case screens (placeholder)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def case_list(request):
    raise Http404
