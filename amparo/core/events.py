"""Audit events told as sentences in the reader's language: "Ana registró el hogar (dirección,
área)". The audit log keeps namespaced codes (`registry.household.registered`) and field names;
this table turns them into words for the histories and the audit log page.

Every event the code records has its sentence here (a test reads the code for them). A new
event without one still reads, as its code, until it gets its line.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SENTENCES: dict[str, Promise] = {
    # registry
    "registry.household.registered": gettext_lazy("%(actor)s registered the household"),
    "registry.household.imported": gettext_lazy("%(actor)s imported the household"),
    "registry.household.loaded": gettext_lazy("%(actor)s loaded the household from a file"),
    "registry.household.load_undone": gettext_lazy(
        "%(actor)s undid an import that could not finish"
    ),
    "registry.household.updated": gettext_lazy("%(actor)s changed the household"),
    "registry.household.viewed": gettext_lazy("%(actor)s viewed the household"),
    "registry.individual.registered": gettext_lazy("%(actor)s registered the person"),
    "registry.individual.updated": gettext_lazy("%(actor)s changed the person's record"),
    "registry.individual.moved": gettext_lazy("%(actor)s moved the person to another household"),
    "registry.individual.viewed": gettext_lazy("%(actor)s viewed the person's record"),
    "registry.need_notice.opened": gettext_lazy(
        "%(actor)s recorded a need that the GBV team was told about"
    ),
    "registry.need_notice.closed": gettext_lazy(
        "%(actor)s marked a notice to the GBV team as followed up"
    ),
    "registry.individual.searched": gettext_lazy("%(actor)s searched the registry"),
    "registry.individual.listed": gettext_lazy("%(actor)s listed the registry"),
    "registry.individual.duplicate_checked": gettext_lazy("%(actor)s checked for duplicates"),
    "registry.importmapping.updated": gettext_lazy("%(actor)s changed the import's columns"),
    # duplicates
    "dedup.run.finished": gettext_lazy("%(actor)s looked for people registered twice"),
    "dedup.pair.decided": gettext_lazy("%(actor)s reviewed a possible duplicate"),
    "dedup.individual.merged": gettext_lazy("%(actor)s merged two records of the person"),
    "dedup.individual.merge_undone": gettext_lazy("%(actor)s undid a merge of records"),
    # cases
    "cases.case.opened": gettext_lazy("%(actor)s opened the case"),
    "cases.case.advanced": gettext_lazy("%(actor)s moved the case on"),
    "cases.case.changed": gettext_lazy("%(actor)s changed the case"),
    "cases.case.reopened": gettext_lazy("%(actor)s reopened the case"),
    "cases.case.transferred": gettext_lazy("%(actor)s transferred the case"),
    "cases.case.viewed": gettext_lazy("%(actor)s viewed the case"),
    "cases.closure.requested": gettext_lazy("%(actor)s asked to close the case"),
    "cases.closure.approved": gettext_lazy("%(actor)s approved closing the case"),
    "cases.closure.rejected": gettext_lazy("%(actor)s returned the closure request"),
    "cases.plan.approved": gettext_lazy("%(actor)s approved the case plan"),
    "cases.plan.rejected": gettext_lazy("%(actor)s returned the case plan"),
    "cases.plan.approval_withdrawn": gettext_lazy("%(actor)s withdrew the plan from approval"),
    "cases.plan.written": gettext_lazy("%(actor)s wrote the assessment and plan"),
    "cases.plan_action.added": gettext_lazy("%(actor)s added an action to the plan"),
    "cases.plan_action.done": gettext_lazy("%(actor)s marked an action of the plan as done"),
    "cases.follow_up.added": gettext_lazy("%(actor)s added a follow-up"),
    "cases.note.added": gettext_lazy("%(actor)s added a note"),
    "cases.member.added": gettext_lazy("%(actor)s added a colleague to the case team"),
    "cases.member.removed": gettext_lazy("%(actor)s removed a colleague from the case team"),
    "cases.gbv_team.added": gettext_lazy("%(actor)s added someone to the GBV team"),
    "cases.gbv_team.removed": gettext_lazy("%(actor)s removed someone from the GBV team"),
    "cases.gbv_statistics.viewed": gettext_lazy("%(actor)s viewed the GBV statistics"),
    "cases.incidents.exported": gettext_lazy(
        "%(actor)s exported an office's GBV incidents in the Incident Recorder's layout"
    ),
    "cases.monthly_release.prepared": gettext_lazy(
        "%(actor)s prepared a month's GBV statistics tables for approval"
    ),
    "cases.monthly_release.approved": gettext_lazy(
        "%(actor)s approved and released a month's GBV statistics tables"
    ),
    "cases.monthly_release.withdrawn": gettext_lazy(
        "%(actor)s withdrew a month's GBV statistics tables"
    ),
    "cases.monthly_release.viewed": gettext_lazy(
        "%(actor)s viewed a month's GBV statistics tables"
    ),
    "cases.incident.recorded": gettext_lazy("%(actor)s recorded a GBV incident"),
    "cases.incident.changed": gettext_lazy("%(actor)s changed a GBV incident"),
    "cases.incident.viewed": gettext_lazy("%(actor)s viewed a GBV incident"),
    "cases.child_consent.recorded": gettext_lazy("%(actor)s recorded a child survivor's consent"),
    "cases.child_consent.best_interests": gettext_lazy(
        "%(actor)s took a best-interests decision for a child survivor"
    ),
    "cases.child_consent.adolescent_unable": gettext_lazy(
        "%(actor)s recorded why an adolescent survivor cannot consent"
    ),
    "cases.consent.withdrawn": gettext_lazy("%(actor)s recorded a withdrawal of consent"),
    "cases.consent.renewed": gettext_lazy("%(actor)s recorded that consent was given again"),
    "cases.service_decision.recorded": gettext_lazy(
        "%(actor)s recorded the survivor's decision on a service"
    ),
    "cases.safety.mandatory_reporting": gettext_lazy(
        "%(actor)s recorded the limits of confidentiality and mandatory reporting"
    ),
    "cases.safety.safe_contact": gettext_lazy("%(actor)s changed the safe-contact instructions"),
    "cases.safety.safety_plan": gettext_lazy("%(actor)s changed the safety plan"),
    "cases.survivor.changed": gettext_lazy("%(actor)s corrected the survivor's identity"),
    "cases.survivor.registered": gettext_lazy(
        "%(actor)s registered the survivor in the registry, with their consent"
    ),
    "cases.survivor.linked": gettext_lazy(
        "%(actor)s linked the case to the survivor's registry record, with their consent"
    ),
    # referrals and the Care Route directory
    "referrals.referral.sent": gettext_lazy("%(actor)s sent the referral"),
    "referrals.referral.received": gettext_lazy("%(actor)s marked the referral as received"),
    "referrals.referral.accepted": gettext_lazy("%(actor)s accepted the referral"),
    "referrals.referral.declined": gettext_lazy("%(actor)s declined the referral"),
    "referrals.referral.service_given": gettext_lazy("%(actor)s recorded the service as given"),
    "referrals.referral.not_reached": gettext_lazy("%(actor)s recorded the person as not reached"),
    "referrals.referral.withdrawn": gettext_lazy("%(actor)s withdrew the referral"),
    "referrals.referral.printed": gettext_lazy("%(actor)s printed the referral"),
    "referrals.referral.referred_on": gettext_lazy(
        "%(actor)s referred the person on to another service"
    ),
    "referrals.referral.viewed": gettext_lazy("%(actor)s viewed the referral"),
    "referrals.provider.created": gettext_lazy("%(actor)s added a provider to the directory"),
    "referrals.provider.updated": gettext_lazy("%(actor)s changed a provider of the directory"),
    "referrals.service.created": gettext_lazy("%(actor)s added a service to the directory"),
    "referrals.service.updated": gettext_lazy("%(actor)s changed a service of the directory"),
    "referrals.careroute.created": gettext_lazy("%(actor)s created a care route"),
    "referrals.careroute.updated": gettext_lazy("%(actor)s changed a care route"),
    "referrals.careroute.steps_changed": gettext_lazy("%(actor)s changed a care route's steps"),
    "referrals.network.created": gettext_lazy("%(actor)s created a coordination network"),
    "referrals.network.updated": gettext_lazy(
        "%(actor)s changed a coordination network (members or focal points)"
    ),
    "referrals.directory.imported": gettext_lazy("%(actor)s imported the directory"),
    "referrals.directory.loaded": gettext_lazy("%(actor)s loaded the directory"),
    "referrals.intake_link.created": gettext_lazy(
        "%(actor)s issued a one-time intake link to a care post"
    ),
    "referrals.intake_link.revoked": gettext_lazy("%(actor)s revoked a one-time intake link"),
    "referrals.intake.received": gettext_lazy("%(actor)s sent an intake from a care post"),
    "referrals.intake.viewed": gettext_lazy("%(actor)s viewed an intake from a care post"),
    "referrals.intake.recorded": gettext_lazy("%(actor)s opened a GBV case from an intake"),
    "referrals.intake.closed": gettext_lazy("%(actor)s closed an intake without a case"),
    # services given
    "activities.activity.recorded": gettext_lazy("%(actor)s recorded a service given"),
    "activities.activity.viewed": gettext_lazy("%(actor)s viewed a service given"),
    # assistance
    "assistance.project.created": gettext_lazy("%(actor)s created the project"),
    "assistance.indicator.added": gettext_lazy("%(actor)s added an indicator to the project"),
    "assistance.indicator.removed": gettext_lazy("%(actor)s removed an indicator of the project"),
    "assistance.cycle.opened": gettext_lazy("%(actor)s opened the distribution cycle"),
    "assistance.rule.created": gettext_lazy("%(actor)s created the targeting rule"),
    "assistance.rule.changed": gettext_lazy("%(actor)s changed the targeting rule"),
    "assistance.rule.previewed": gettext_lazy(
        "%(actor)s previewed the households a targeting rule entitles"
    ),
    "assistance.exception.added": gettext_lazy("%(actor)s made an exception to a targeting rule"),
    "assistance.delivery.recorded": gettext_lazy("%(actor)s recorded a delivery"),
    "assistance.card.issued": gettext_lazy("%(actor)s issued a beneficiary card"),
    "assistance.card.revoked": gettext_lazy("%(actor)s revoked a beneficiary card"),
    "assistance.card.viewed": gettext_lazy("%(actor)s viewed a household's beneficiary cards"),
    "assistance.card.printed": gettext_lazy("%(actor)s printed beneficiary cards"),
    "assistance.card.resolved": gettext_lazy(
        "%(actor)s looked up a household by its beneficiary card"
    ),
    "assistance.card.refused": gettext_lazy("%(actor)s was shown a revoked beneficiary card"),
    "assistance.entitlement.viewed": gettext_lazy("%(actor)s viewed an entitlement"),
    "assistance.payment_format.created": gettext_lazy("%(actor)s created a payment list format"),
    "assistance.payment_format.changed": gettext_lazy("%(actor)s changed a payment list format"),
    "assistance.payment_list.generated": gettext_lazy(
        "%(actor)s generated a payment list for a provider"
    ),
    "assistance.payment_list.exported": gettext_lazy(
        "%(actor)s exported a payment list with the payees' personal data"
    ),
    "assistance.payment.reconciled": gettext_lazy(
        "%(actor)s recorded what the provider said of a payment"
    ),
    "assistance.payments.reconciled": gettext_lazy(
        "%(actor)s imported a provider's reconciliation file"
    ),
    "assistance.payments.listed": gettext_lazy("%(actor)s viewed a cycle's payments"),
    "assistance.cycle.listed": gettext_lazy(
        "%(actor)s listed the households entitled in the cycle"
    ),
    "assistance.cycle.downloaded": gettext_lazy(
        "%(actor)s downloaded the cycle's households to work offline"
    ),
    "assistance.warehouse.created": gettext_lazy("%(actor)s created a warehouse"),
    "assistance.kit_type.created": gettext_lazy("%(actor)s created a kit type"),
    "assistance.stock.received": gettext_lazy("%(actor)s recorded kits received"),
    "assistance.stock.transferred": gettext_lazy("%(actor)s transferred kits to another warehouse"),
    "assistance.stock.lost": gettext_lazy("%(actor)s recorded kits lost or damaged"),
    "assistance.stock.adjusted": gettext_lazy("%(actor)s adjusted the stock after a count"),
    "assistance.stock.dispatched": gettext_lazy("%(actor)s dispatched kits to a cycle"),
    "assistance.stock.returned": gettext_lazy("%(actor)s returned a cycle's kits to the warehouse"),
    "assistance.stock.dispatch_overridden": gettext_lazy(
        "%(actor)s opened a cycle without enough stock"
    ),
    "assistance.cycle.closed": gettext_lazy("%(actor)s closed the distribution cycle"),
    "assistance.entitlement.cancelled": gettext_lazy("%(actor)s cancelled an entitlement"),
    "assistance.delivery.reversed": gettext_lazy("%(actor)s reversed a delivery"),
    "assistance.cycle.reconciled": gettext_lazy("%(actor)s viewed the cycle's reconciliation"),
    "assistance.cycle.reconciliation_exported": gettext_lazy(
        "%(actor)s exported the cycle's reconciliation"
    ),
    "assistance.monitoring_sample.drawn": gettext_lazy(
        "%(actor)s drew the households for post-distribution monitoring"
    ),
    "assistance.monitoring_sample.viewed": gettext_lazy(
        "%(actor)s viewed the post-distribution monitoring sample"
    ),
    "assistance.monitoring_survey.recorded": gettext_lazy(
        "%(actor)s recorded a post-distribution survey"
    ),
    "assistance.monitoring_survey.viewed": gettext_lazy(
        "%(actor)s viewed a post-distribution survey"
    ),
    # accounts and set-up
    "core.user.logged_in": gettext_lazy("%(actor)s signed in"),
    "core.user.logged_out": gettext_lazy("%(actor)s signed out"),
    "core.user.login_failed": gettext_lazy("%(actor)s failed to sign in"),
    "core.user.password_changed": gettext_lazy("%(actor)s changed a password"),
    "core.user.created": gettext_lazy("%(actor)s created an account"),
    "core.user.updated": gettext_lazy("%(actor)s changed an account"),
    "core.user.viewed": gettext_lazy("%(actor)s viewed an account"),
    "core.token.created": gettext_lazy("%(actor)s created an API token"),
    "core.token.revoked": gettext_lazy("%(actor)s revoked an API token"),
    "core.user.two_factor_enrolled": gettext_lazy("%(actor)s set up two-factor sign-in"),
    "core.user.two_factor_verified": gettext_lazy("%(actor)s confirmed a sign-in with a code"),
    "core.user.two_factor_failed": gettext_lazy("%(actor)s entered a wrong sign-in code"),
    "core.user.two_factor_reset": gettext_lazy("%(actor)s reset an account's two-factor sign-in"),
    "core.user.recovery_codes_renewed": gettext_lazy("%(actor)s renewed their recovery codes"),
    "core.organization.updated": gettext_lazy("%(actor)s changed the organization"),
    "core.audit.purged": gettext_lazy("%(actor)s removed old audit events"),
    "core.office.created": gettext_lazy("%(actor)s created an office"),
    "core.office.viewed": gettext_lazy("%(actor)s viewed an office"),
    "core.organization.created": gettext_lazy("%(actor)s created the organization"),
    "core.area.imported": gettext_lazy("%(actor)s imported areas"),
    "core.field_keys.rotated": gettext_lazy("%(actor)s rotated the encryption keys"),
    # feedback
    "feedback.entry.received": gettext_lazy("%(actor)s recorded feedback"),
    "feedback.feedbackentry.viewed": gettext_lazy("%(actor)s read feedback"),
    "feedback.entry.changed": gettext_lazy("%(actor)s changed the feedback's category or priority"),
    "feedback.entry.assigned": gettext_lazy("%(actor)s assigned the feedback"),
    "feedback.note.added": gettext_lazy("%(actor)s added a note to the feedback"),
    # messaging: campaigns
    "messaging.template.created": gettext_lazy("%(actor)s created a message template"),
    "messaging.template.changed": gettext_lazy("%(actor)s changed a message template"),
    "messaging.campaign.created": gettext_lazy("%(actor)s prepared a message campaign"),
    "messaging.campaign.scheduled": gettext_lazy("%(actor)s scheduled a message campaign"),
    "messaging.campaign.cancelled": gettext_lazy("%(actor)s cancelled a message campaign"),
    # messaging: webhooks (replies, status callbacks)
    "messaging.optout.recorded": gettext_lazy("%(actor)s opted out of messages"),
    # messaging: messages to one person
    "messaging.message.queued": gettext_lazy("%(actor)s sent a message to this person"),
    "feedback.entry.replied": gettext_lazy("%(actor)s answered the feedback"),
    "feedback.entry.closed": gettext_lazy("%(actor)s closed the feedback"),
    "feedback.deadline.changed": gettext_lazy("%(actor)s changed a deadline to answer feedback"),
    "feedback.figures.exported": gettext_lazy("%(actor)s downloaded the feedback figures"),
    "reports.five_w.exported": gettext_lazy("%(actor)s exported a month's 5W"),
    "reports.project_report.exported": gettext_lazy(
        "%(actor)s exported a project's report as a workbook"
    ),
    "reports.people_behind.exported": gettext_lazy(
        "%(actor)s exported the list of the people behind a figure, with its purpose"
    ),
    "reports.people_behind.viewed": gettext_lazy(
        "%(actor)s opened the list of the people behind a figure"
    ),
    "reports.people_reached.exported": gettext_lazy(
        "%(actor)s exported the people reached, with disclosure control"
    ),
}

# Changed "fields" that are not a column of the event's model.
OTHER_FIELDS: dict[str, Promise] = {
    "members": gettext_lazy("members"),
    "documents": gettext_lazy("documents"),
    "areas": gettext_lazy("areas"),
    "steps": gettext_lazy("steps"),
    "services": gettext_lazy("services"),
}
MAX_FIELDS = 6


def sentence(event) -> str:
    """One event as a sentence: who did what, and which fields it touched."""
    actor = getattr(event, "actor_name", "") or event.actor_username or _("Someone")
    template = SENTENCES.get(event.action)
    text = str(template) % {"actor": actor} if template else f"{actor}: {event.action}"
    fields = [field_label(event.target_type, f) for f in event.fields or []]
    if len(fields) > MAX_FIELDS:
        fields = [*fields[:MAX_FIELDS], "…"]
    return f"{text} ({', '.join(fields)})" if fields else text


def field_label(target_type: str, name: str) -> str:
    """A field's name as its model's form shows it ("address" → "dirección")."""
    if name in OTHER_FIELDS:
        return str(OTHER_FIELDS[name])
    try:
        model = apps.get_model(target_type) if target_type else None
        if model is not None:
            return str(model._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        pass
    return name.replace("_", " ")


def object_name(target_type: str) -> str:
    """ "registry.household" → "hogar" (its model's name), or the code for an unknown one."""
    try:
        return str(apps.get_model(target_type)._meta.verbose_name) if target_type else ""
    except (LookupError, ValueError):
        return target_type
