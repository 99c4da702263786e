"""The opt-out page of campaign e-mails (placeholder: finished with the webhooks)."""

from django.http import HttpRequest, HttpResponse


def optout(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse(status=404)
