"""Demo messages for HIAS Ecuador: two SMS templates (a regularization notice, an appointment
reminder) and one finished campaign to Quito's refugee heads of household, so the campaign
page has a delivery log.

Everything goes through the messaging actions as the demo's communication officer; the
campaign is prepared and sent here, synchronously, through the console channel (lines in
var/messages/sms.log): the demo runs without a worker. Idempotent: once HIAS has templates,
nothing is added.
"""

from __future__ import annotations

from django.test import override_settings

from amparo.core.models import Organization, User
from amparo.messaging import actions, tasks
from amparo.messaging.models import Message, Template

ORGANIZATION = "hias-ec"
OFFICER = "comunicacion.hias"

TEMPLATES = (
    {
        "name": "Aviso de regularización",
        "channel": "sms",
        "body_es": (
            "Hola {first_name}: desde el {date} HIAS orienta sobre la regularización migratoria "
            "en la oficina de {office}. Venga con sus documentos. Responda SALIR para no recibir "
            "más mensajes."
        ),
        "body_en": (
            "Hello {first_name}: from {date} HIAS gives advice on migratory regularization at "
            "the {office} office. Bring your documents. Reply STOP to receive no more messages."
        ),
    },
    {
        "name": "Recordatorio de cita",
        "channel": "sms",
        "body_es": (
            "Hola {first_name}: le recordamos su cita en HIAS {office}. Hoy es {date}; si no "
            "puede venir, llámenos."
        ),
        "body_en": (
            "Hello {first_name}: a reminder of your appointment at HIAS {office}. Today is "
            "{date}; if you cannot come, call us."
        ),
    },
)

# A small group: heads of household of Quito's refugee families who agreed to be contacted.
FILTERS = {"offices": ["quito"], "population_groups": ["refugee"], "heads_only": True}

# The demo sends at once and on its own: tasks run in this process, messages go to the file.
SEND_HERE = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "MESSAGING_CHANNELS": {code: {"provider": "console"} for code in ("email", "sms", "whatsapp")},
    "AMPARO_MESSAGING_RATE": 0,  # no pacing: a file, not a gateway
}


def load() -> dict[str, int]:
    """Write the templates and send the campaign; return how many of each were added."""
    organization = Organization.objects.filter(code=ORGANIZATION).first()
    officer = User.objects.filter(username=OFFICER).first()
    if (
        organization is None
        or officer is None
        or Template.objects.filter(organization=organization).exists()
    ):
        return {"templates": 0, "campaigns": 0, "messages": 0}
    notice, _reminder = (
        actions.save_template(
            actor=officer,
            name=spec["name"],
            channel=spec["channel"],
            body_es=spec["body_es"],
            body_en=spec["body_en"],
        )
        for spec in TEMPLATES
    )
    campaign = actions.create_campaign(
        actor=officer,
        name="Regularización: refugiados en Quito",
        template=notice,
        filters=FILTERS,
    )
    with override_settings(**SEND_HERE):
        campaign = actions.schedule_campaign(actor=officer, campaign=campaign)
        # Not left to the commit hook: the demo may itself run inside a transaction.
        # (Once sent, by the hook or here, a second call finds nothing to do.)
        tasks.prepare_campaign.call(campaign.pk)
    sent = campaign.messages.filter(state=Message.State.SENT).count()
    return {"templates": len(TEMPLATES), "campaigns": 1, "messages": sent}
