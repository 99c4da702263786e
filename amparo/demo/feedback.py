"""Demo feedback for HIAS Ecuador: about thirty entries over the last two months, from the
public page and recorded by staff from other channels, across categories; some answered and
closed, some overdue, three sensitive ones handled by the ethics focal point.

Everything goes through the feedback actions, as the demo users, so the rules and the audit
trail apply. Idempotent: once HIAS has feedback, nothing is added.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from amparo.core.models import Office, Organization, User
from amparo.feedback import actions
from amparo.feedback.models import FeedbackEntry

ORGANIZATION = "hias-ec"
HANDLER = "mye.hias"  # answers ordinary feedback
ETHICS = "etica.hias"  # the only one who reads sensitive feedback


@dataclass(frozen=True)
class Spec:
    days_ago: int
    category: str
    text: str
    # "" for the public page; otherwise the staff member who recorded it (their office).
    recorder: str = ""
    channel: str = "web"
    office: str = ""  # for the public page: the office the person named, if any
    # "" (waiting), "assigned", "replied", or "closed:<satisfaction>".
    outcome: str = ""


CW, REG, DIST = "caso.quito", "registro.lagoagrio", "entregas.lagoagrio"

SPECS: tuple[Spec, ...] = (
    Spec(58, "complaint", "La fila para la entrega de kits duró más de cuatro horas.",
         DIST, "in_person", outcome="closed:satisfied"),
    Spec(56, "question", "¿Dónde puedo renovar mi visa de residencia temporal?",
         outcome="closed:unknown"),
    Spec(55, "thanks", "Gracias a la psicóloga por acompañarnos en el duelo.", CW, "in_person",
         outcome="closed:satisfied"),
    Spec(53, "suggestion", "Podrían atender también los sábados en Lago Agrio.", REG,
         "suggestion_box", outcome="closed:unknown"),
    Spec(51, "complaint", "No me avisaron que cambió la fecha de la distribución.", DIST,
         "whatsapp", outcome="closed:not_satisfied"),
    Spec(49, "question", "¿Qué documentos necesito para pedir refugio?", office="quito",
         outcome="closed:satisfied"),
    Spec(47, "staff_misconduct", "Un funcionario me gritó y me dijo que me regresara a mi país.",
         office="lago-agrio", outcome="closed:satisfied"),
    Spec(45, "question", "¿Atienden a personas sin pasaporte?", CW, "hotline",
         outcome="closed:satisfied"),
    Spec(42, "complaint", "El baño del centro comunitario no tiene agua.", REG,
         "community_meeting", outcome="replied"),
    Spec(40, "suggestion", "Que den información en los grupos de WhatsApp del barrio.",
         outcome="closed:unknown"),
    Spec(38, "thanks", "Mi hija ya está en la escuela gracias al apoyo legal.", CW, "email",
         outcome="closed:satisfied"),
    Spec(36, "complaint", "La tarjeta de la asistencia no funcionó en el cajero.", DIST,
         "hotline", outcome="assigned"),
    Spec(34, "question", "¿Cuándo será la próxima entrega de kits de higiene?", office="lago-agrio",
         outcome="closed:satisfied"),
    Spec(31, "complaint", "Me pidieron los mismos papeles tres veces.", REG, "in_person"),
    Spec(29, "suggestion", "Un espacio para que jueguen los niños mientras esperamos.", DIST,
         "suggestion_box", outcome="replied"),
    Spec(27, "question", "¿Pueden ayudarme con el arriendo este mes?", CW, "whatsapp",
         outcome="closed:not_satisfied"),
    Spec(24, "thanks", "Muy amables en la oficina de Quito.", outcome="closed:unknown"),
    Spec(22, "complaint", "Nadie contesta el teléfono de la línea de ayuda.", office="quito"),
    Spec(20, "question", "¿Cómo me inscribo en el curso de emprendimiento?", CW, "hotline",
         outcome="replied"),
    Spec(18, "fraud", "Una persona cobra 20 dólares por inscribir en la lista de kits.",
         office="lago-agrio", outcome="assigned"),
    Spec(16, "suggestion", "Que la información esté también en inglés y en francés.", REG,
         "community_meeting"),
    Spec(14, "complaint", "El kit de alimentos llegó incompleto, sin aceite.", DIST, "in_person",
         outcome="assigned"),
    Spec(12, "question", "¿Mi solicitud de refugio sigue en trámite?", outcome="replied"),
    Spec(10, "thanks", "Gracias por la orientación en la frontera.", REG, "in_person"),
    Spec(8, "complaint", "Me atendieron sin privacidad, todos escuchaban.", CW, "in_person"),
    Spec(6, "sexual_exploitation_abuse",
         "Un voluntario ofreció ayuda a cambio de favores a una vecina.", CW, "hotline"),
    Spec(5, "question", "¿Puedo cambiar la dirección de mi registro?", office="quito",
         outcome="closed:satisfied"),
    Spec(3, "suggestion", "Mandar un mensaje un día antes de la cita.", DIST, "sms"),
    Spec(2, "question", "¿Dónde queda la oficina de Lago Agrio?", outcome="closed:satisfied"),
    Spec(1, "complaint", "El guardia no me dejó entrar con mi bebé.", REG, "in_person"),
)  # fmt: skip

REPLY = "Gracias por escribirnos. Revisamos su mensaje y le respondemos por este medio."


def _office(organization: Organization, users: dict[str, User], spec: Spec) -> Office | None:
    if spec.recorder:
        return users[spec.recorder].office
    if spec.office:
        return Office.objects.get(organization=organization, code=spec.office)
    return None


@transaction.atomic
def load() -> dict[str, int]:
    """Receive and handle the demo's feedback; return how many entries were added."""
    organization = Organization.objects.filter(code=ORGANIZATION).first()
    if organization is None or FeedbackEntry.objects.filter(organization=organization).exists():
        return {"entries": 0}
    users = {u.username: u for u in User.objects.filter(organization=organization)}
    now = timezone.now()
    for number, spec in enumerate(SPECS):
        received_at = now - datetime.timedelta(days=spec.days_ago, hours=number % 7)
        entry, _code = actions.receive_feedback(
            organization=organization,
            category=spec.category,
            text=spec.text,
            contact="" if number % 3 else f"+593 99 000 {number:04d}",
            office=_office(organization, users, spec),
            channel=spec.channel,
            actor=users[spec.recorder] if spec.recorder else None,
            received_at=received_at,
        )
        if not spec.outcome:
            continue
        handler = users[ETHICS if entry.sensitive else HANDLER]
        actions.assign_entry(actor=handler, entry=entry, assignee=handler)
        if entry.sensitive:
            actions.add_note(actor=handler, entry=entry, text="Se abrió una investigación.")
        if spec.outcome == "assigned":
            continue
        actions.reply(actor=handler, entry=entry, text=REPLY)
        if spec.outcome.startswith("closed:"):
            satisfaction = spec.outcome.split(":", 1)[1]
            actions.close_entry(actor=handler, entry=entry, satisfaction=satisfaction)
    return {"entries": len(SPECS)}
