"""Webhooks of the SMS and WhatsApp gateways (status callbacks, replies): to be built."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
