"""The service directory and care routes, read-only for staff (placeholder)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def directory(request):
    raise Http404
