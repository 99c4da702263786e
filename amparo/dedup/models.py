"""Who is registered twice: trained models, runs, the pairs they found, reviewers' decisions
and merges (with what each merge moved, so that it can be undone)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Organization
from amparo.registry.models import Individual


class LinkageModel(models.Model):
    """A trained model (Splink's parameters: no personal data), versioned per organization;
    the newest scores the next run and the registry's duplicate check."""

    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    parameters = models.JSONField(_("parameters"))
    records = models.PositiveIntegerField(_("records trained on"))
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    trained_at = models.DateTimeField(_("trained at"), auto_now_add=True)

    class Meta:
        verbose_name = _("linkage model")
        verbose_name_plural = _("linkage models")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "version"], name="one_model_version_per_organization"
            )
        ]

    def __str__(self) -> str:
        return f"model v{self.version} of {self.organization_id}"


class Run(models.Model):
    """One pass over the registry an organization holds: the pairs it scored above
    `threshold`, clustered."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    model = models.ForeignKey(
        LinkageModel, models.PROTECT, null=True, blank=True, related_name="runs"
    )
    threshold = models.FloatField(_("threshold"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.RUNNING)
    people = models.PositiveIntegerField(_("people compared"), default=0)
    pairs = models.PositiveIntegerField(_("pairs found"), default=0)
    clusters = models.PositiveIntegerField(_("groups"), default=0)
    seconds = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deduplication run")
        verbose_name_plural = _("deduplication runs")

    def __str__(self) -> str:
        return f"run {self.uuid}"


class CandidatePair(models.Model):
    """Two records a run took for one person: `first` is the older record (lower id)."""

    run = models.ForeignKey(Run, models.CASCADE, related_name="candidate_pairs")
    first = models.ForeignKey(Individual, models.CASCADE, related_name="+")
    second = models.ForeignKey(Individual, models.CASCADE, related_name="+")
    probability = models.FloatField(_("match probability"))
    cluster = models.BigIntegerField(_("group"))
    reasons = models.JSONField(_("reasons"), default=dict)  # field → match weight

    class Meta:
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pairs")
        indexes = [models.Index(fields=["run", "-probability"], name="pair_by_probability")]
        constraints = [
            models.UniqueConstraint(fields=["run", "first", "second"], name="one_pair_per_run"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="pair_first_is_older"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}~{self.second_id} {self.probability:.3f}"


class Decision(models.Model):
    """What a reviewer said about two records; remembered across runs ("different" pairs
    are never shown again)."""

    class Verdict(models.TextChoices):
        SAME = "same", _("Same person")
        DIFFERENT = "different", _("Different people")
        UNSURE = "unsure", _("Not sure")

    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    first = models.ForeignKey(Individual, models.CASCADE, related_name="+")
    second = models.ForeignKey(Individual, models.CASCADE, related_name="+")
    verdict = models.CharField(_("decision"), max_length=10, choices=Verdict)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="one_decision_per_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")),
                name="decision_first_is_older",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}~{self.second_id}: {self.verdict}"


class Merge(models.Model):
    """`merged` became a tombstone of `survivor`. `before` holds what the merge overwrote and
    `moved` the rows it moved (by table and field), so that an undo puts everything back."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, models.PROTECT, related_name="+")
    survivor = models.ForeignKey(Individual, models.PROTECT, related_name="+")
    merged = models.ForeignKey(Individual, models.PROTECT, related_name="+")
    choices = models.JSONField(_("values kept"), default=dict)  # field → "survivor" | "merged"
    before = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        constraints = [
            models.UniqueConstraint(
                fields=["merged"],
                condition=models.Q(undone_at__isnull=True),
                name="one_standing_merge_per_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
