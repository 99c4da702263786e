"""Every write of messaging a person makes (the worker's are in `delivery.py`), by job:
`campaigns` (templates, campaigns, opt-outs), `inbound` (webhooks: replies, status
callbacks), `individual` (a message to one person from their page or case)."""

from amparo.messaging.actions.campaigns import (
    cancel_campaign,
    clean_filters,
    create_campaign,
    opt_out,
    save_template,
    schedule_campaign,
)
from amparo.messaging.actions.inbound import is_opt_out, receive_reply, settle_status
from amparo.messaging.actions.individual import channels_for, compose, send_to_person

__all__ = [
    "cancel_campaign",
    "channels_for",
    "clean_filters",
    "compose",
    "create_campaign",
    "is_opt_out",
    "opt_out",
    "receive_reply",
    "save_template",
    "schedule_campaign",
    "settle_status",
    "send_to_person",
]
