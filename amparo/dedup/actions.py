"""Every write of deduplication: a run over the registry, a reviewer's decision, a merge and
its undo.

A merge keeps one record (the survivor), takes the values the reviewer chose field by field,
moves to it everything that pointed at the other record, and leaves the other as a tombstone
(`Individual.merged_into`). `RELATIONS` says, for every foreign key to `Individual`, what a
merge does with it; a test fails when a new one is added without a line there. What it moved
and overwrote is kept on the `Merge`, so that an administrator can undo it exactly.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import ManyToManyField, ManyToManyRel, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.core import access, audit, jobs
from amparo.core.errors import ALL, ActionError, Errors
from amparo.core.models import Job, Organization, User
from amparo.dedup import linkage, queries
from amparo.dedup.models import CandidatePair, Decision, LinkageModel, Merge, Run
from amparo.registry import normalize as registry_normalize
from amparo.registry.models import Individual, NeedNotice
from amparo.registry.queries import get_individual_for, individuals_visible_to

# --- runs ------------------------------------------------------------------------------------

SAVE_BATCH = 5_000


def _reasons(row: Mapping) -> dict[str, float]:
    """Each field's match weight (with its term-frequency adjustment), the pair's reasons."""
    reasons: dict[str, float] = {}
    for name, value in row.items():
        if name.startswith("mw_") and not name.startswith("mw_tf_adj_") and value is not None:
            field = name[3:]
            total = value + (row.get(f"mw_tf_adj_{field}") or 0.0)
            if math.isfinite(total):
                reasons[field] = round(total, 2)
    return reasons


def run_deduplication(
    *,
    organization: Organization,
    people: QuerySet[Individual],
    started_by: User | None,
    threshold: float = 0.9,
    retrain: bool = False,
    progress: Callable[..., None] | None = None,
) -> Run:
    """Score every pair of `people` that may be one person and store those at or above
    `threshold`, clustered. Uses the organization's newest model unless `retrain` or there is
    none; a model trained here is stored as the next version. The caller scoped `people`."""
    if not 0 < threshold < 1:
        raise ActionError.on("threshold", _("The threshold is a probability between 0 and 1."))
    step = progress or (lambda *args, **kwargs: None)
    model = None if retrain else queries.latest_model(organization.pk)
    run = Run.objects.create(
        organization=organization, started_by=started_by, threshold=threshold, model=model
    )
    try:
        total = people.count()
        step(0, total, phase="reading")
        records = queries.linkage_records(people, progress=lambda done: step(done, total))
        step(total, total, phase="scoring")
        result = linkage.deduplicate(
            records, threshold=threshold, model=model.parameters if model else None
        )
        step(0, result.pairs.num_rows, phase="saving")
        with transaction.atomic():
            if model is None and records.num_rows >= linkage.MIN_TRAINING_RECORDS:
                newest = queries.latest_model(organization.pk)
                model = LinkageModel.objects.create(
                    organization=organization,
                    version=(newest.version + 1) if newest else 1,
                    parameters=result.model,
                    records=records.num_rows,
                    trained_by=started_by,
                )
            saved = _save_pairs(run, result.pairs.to_pylist())
            run.model = model
            run.people = records.num_rows
            run.pairs = saved
            run.clusters = len(result.pairs.column("cluster_id").unique())
            run.seconds = {k: round(v, 2) for k, v in result.seconds.items()}
            run.state = Run.State.FINISHED
            run.finished_at = timezone.now()
            run.save()
            audit.record(
                actor=started_by,
                action="dedup.run.finished",
                target=run,
                organization_id=organization.pk,
                details={"people": run.people, "pairs": run.pairs, "threshold": threshold},
            )
    except BaseException:
        Run.objects.filter(pk=run.pk).update(state=Run.State.FAILED, finished_at=timezone.now())
        raise
    return run


def _save_pairs(run: Run, rows: list[dict]) -> int:
    saved = 0
    for start in range(0, len(rows), SAVE_BATCH):
        batch = []
        for row in rows[start : start + SAVE_BATCH]:
            first, second = sorted((int(row["id_a"]), int(row["id_b"])))
            batch.append(
                CandidatePair(
                    run=run,
                    first_id=first,
                    second_id=second,
                    probability=row["match_probability"],
                    cluster=int(row["cluster_id"]),
                    reasons=_reasons(row),
                )
            )
        CandidatePair.objects.bulk_create(batch, ignore_conflicts=True)
        saved += len(batch)
    return saved


def _run_interrupted(job: Job) -> str:
    return _(
        "The search for duplicates stopped before it finished; nothing was kept. Start it again."
    )


@jobs.handler(interrupted=_run_interrupted)
def run_job(*, job: Job, data: bytes | None, progress: jobs.Progress) -> dict:
    """The job a user starts from the review screen: the registry they may see."""
    owner = job.owner
    access.require(owner, "dedup.run")
    if owner.organization is None:
        raise ActionError.general(_("Only members of an organization can look for duplicates."))
    run = run_deduplication(
        organization=owner.organization,
        people=individuals_visible_to(owner),
        started_by=owner,
        threshold=float(job.params.get("threshold", 0.9)),
        retrain=bool(job.params.get("retrain")),
        progress=progress,
    )
    return {"run": str(run.uuid), "people": run.people, "pairs": run.pairs}


def start_run(*, actor: User, threshold: float = 0.9, retrain: bool = False) -> Job:
    access.require(actor, "dedup.run")
    if not 0 < threshold < 1:
        raise ActionError.on("threshold", _("The threshold is a probability between 0 and 1."))
    return jobs.start(
        owner=actor, handler=run_job, params={"threshold": threshold, "retrain": retrain}
    )


# --- decisions -------------------------------------------------------------------------------


def _ordered(a: Individual, b: Individual) -> tuple[int, int]:
    low, high = sorted((a.pk, b.pk))
    return low, high


def _remember(actor: User, a: Individual, b: Individual, verdict: str) -> Decision:
    low, high = _ordered(a, b)
    decision, _created = Decision.objects.update_or_create(
        first_id=low,
        second_id=high,
        defaults={
            "verdict": verdict,
            "decided_by": actor,
            "organization_id": a.organization_id,
        },
    )
    return decision


@transaction.atomic
def decide(*, actor: User, pair: CandidatePair, verdict: str, request=None) -> Decision:
    """Different people (never shown again) or not sure (kept for later); the caller scoped
    the pair. "Same person" is a merge."""
    access.require(actor, "dedup.review")
    if verdict not in (Decision.Verdict.DIFFERENT, Decision.Verdict.UNSURE):
        raise ActionError.on("verdict", _("Choose “different people” or “not sure”."))
    decision = _remember(actor, pair.first, pair.second, verdict)
    for person in (pair.first, pair.second):
        audit.record(
            actor=actor,
            action="dedup.pair.decided",
            target=person,
            request=request,
            fields=["verdict"],
            details={"verdict": verdict, "pair": [str(pair.first.uuid), str(pair.second.uuid)]},
        )
    return decision


# --- merges ----------------------------------------------------------------------------------

MOVE, KEEP = "move", "keep"

# Every relation to a person (model label, field) and what a merge does with its rows.
# MOVE: the rows that pointed at the merged record point at the survivor (many-to-many: the
# survivor takes the merged record's place). KEEP: they stay, as the history they are.
RELATIONS: dict[tuple[str, str], str] = {
    ("registry.Document", "individual"): MOVE,
    ("registry.NeedNotice", "individual"): MOVE,
    ("registry.Individual", "merged_into"): MOVE,  # earlier tombstones follow
    ("cases.Case", "individuals"): MOVE,
    ("cases.AdolescentIncapacity", "individual"): MOVE,
    ("cases.ChildConsent", "individual"): MOVE,
    ("referrals.Referral", "individual"): MOVE,
    ("activities.Activity", "participants"): MOVE,
    ("assistance.Delivery", "collected_by"): MOVE,
    ("assistance.Payment", "payee"): MOVE,
    ("feedback.FeedbackEntry", "individual"): MOVE,
    ("messaging.Message", "individual"): MOVE,
    ("dedup.CandidatePair", "first"): KEEP,
    ("dedup.CandidatePair", "second"): KEEP,
    ("dedup.Decision", "first"): KEEP,
    ("dedup.Decision", "second"): KEEP,
    ("dedup.Merge", "survivor"): KEEP,
    ("dedup.Merge", "merged"): KEEP,
}


def relations_to_individual() -> dict[tuple[str, str], Any]:
    """Every relation to `Individual` in the project: (model label, field) → the field.
    A many-to-many is named by its field, not its hidden through table."""
    found: dict[tuple[str, str], Any] = {}
    relation: Any
    for relation in Individual._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        model = relation.related_model
        if not isinstance(relation, ManyToManyRel) and model._meta.auto_created:
            continue  # the through table of a many-to-many: handled with its field
        found[(model._meta.label, relation.field.name)] = relation.field
    return found


# Rows a move would make collide with the survivor's under a unique constraint stay with the
# tombstone: one open notice per person and need; one message per person and campaign.
def _open_notices_free(rows: QuerySet, survivor: Individual) -> QuerySet:
    taken = NeedNotice.objects.filter(individual=survivor, closed_at__isnull=True)
    return rows.exclude(closed_at__isnull=True, need__in=taken.values("need"))


def _campaigns_free(rows: QuerySet, survivor: Individual) -> QuerySet:
    taken = rows.model._base_manager.filter(individual=survivor, campaign__isnull=False)
    return rows.exclude(campaign__in=taken.values("campaign"))


COLLISIONS: dict[tuple[str, str], Callable[[QuerySet, Individual], QuerySet]] = {
    ("registry.NeedNotice", "individual"): _open_notices_free,
    ("messaging.Message", "individual"): _campaigns_free,
}

# What the reviewer chooses, field by field (a group of fields travels together).
CHOICES: dict[str, tuple[str, ...]] = {
    "given_names": ("given_names",),
    "first_surname": ("first_surname",),
    "second_surname": ("second_surname",),
    "sex": ("sex",),
    "date_of_birth": ("date_of_birth", "dob_estimated"),
    "nationality": ("nationality",),
    "population_group": ("population_group",),
    "phone": ("phone",),
    "email": ("email",),
    "household": ("household", "relationship", "is_head"),
    "consent": (
        "contact_consent",
        "data_sharing_consent",
        "consent_purpose",
        "consent_date",
        "consent_recorded_by",
    ),
}
CHOICE_LABELS = {"household": gettext_lazy("household"), "consent": gettext_lazy("consent")}
WASHINGTON_GROUP = (
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
)
# Written by a merge without a choice: lists are joined, blanks filled, the other name kept
# as an alias ("other names", shown on the record; the search reads the names alone).
JOINED = ("other_names", "languages", "specific_needs", *WASHINGTON_GROUP, "name_key")
SNAPSHOT = tuple(f for group in CHOICES.values() for f in group) + JOINED


def _attname(name: str) -> str:
    field: Any = Individual._meta.get_field(name)
    return field.attname


def _snapshot(person: Individual, fields: tuple[str, ...]) -> dict:
    values = {}
    for name in fields:
        attname = _attname(name)
        value = getattr(person, attname)
        if isinstance(value, datetime.date):
            value = value.isoformat()
        values[attname] = value
    return values


def _restore(person: Individual, values: Mapping) -> None:
    for attname, value in values.items():
        field = next(f for f in Individual._meta.concrete_fields if f.attname == attname)
        setattr(person, attname, field.to_python(value) if value is not None else None)


def _alias(survivor: Individual, merged: Individual) -> str:
    names = [survivor.other_names, merged.other_names]
    if merged.full_name.casefold() != survivor.full_name.casefold():
        names.append(merged.full_name)
    joined = "; ".join(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    return joined[:200]


def _move(key: tuple[str, str], field: Any, merged: Individual, survivor: Individual) -> dict:
    """Point the rows of one relation at the survivor; returns what moved (for the undo)."""
    model = field.model
    if isinstance(field, ManyToManyField):
        through: Any = field.remote_field.through
        owner, person = field.m2m_field_name(), field.m2m_reverse_field_name()
        owners = list(
            through.objects.filter(**{person: merged}).values_list(f"{owner}_id", flat=True)
        )
        shared = set(
            through.objects.filter(**{person: survivor, f"{owner}_id__in": owners}).values_list(
                f"{owner}_id", flat=True
            )
        )
        through.objects.filter(**{person: merged}).delete()
        through.objects.bulk_create(
            through(**{f"{owner}_id": pk, person: survivor}) for pk in owners if pk not in shared
        )
        return {"moved": [pk for pk in owners if pk not in shared], "shared": sorted(shared)}
    rows = model._base_manager.filter(**{field.name: merged})
    if key in COLLISIONS:
        rows = COLLISIONS[key](rows, survivor)
    moved = list(rows.values_list("pk", flat=True))
    model._base_manager.filter(pk__in=moved).update(**{field.name: survivor})
    return {"moved": moved}


def _move_back(field: Any, moved: Mapping, merged: Individual, survivor: Individual) -> None:
    if isinstance(field, ManyToManyField):
        through: Any = field.remote_field.through
        owner, person = field.m2m_field_name(), field.m2m_reverse_field_name()
        through.objects.filter(**{person: survivor, f"{owner}_id__in": moved["moved"]}).delete()
        through.objects.bulk_create(
            through(**{f"{owner}_id": pk, person: merged})
            for pk in [*moved["moved"], *moved["shared"]]
        )
        return
    field.model._base_manager.filter(pk__in=moved["moved"], **{field.name: survivor}).update(
        **{field.name: merged}
    )


def _handled_relations() -> dict[tuple[str, str], Any]:
    found = relations_to_individual()
    unknown = sorted(set(found) - set(RELATIONS))
    if unknown:  # a programming error: a new table would be left pointing at a tombstone
        raise RuntimeError(f"merge does not know what to do with {unknown}")
    return {key: field for key, field in found.items() if RELATIONS[key] == MOVE}


def _details(record: Merge) -> dict:
    return {
        "merge": str(record.uuid),
        "survivor": str(record.survivor.uuid),
        "merged": str(record.merged.uuid),
    }


@transaction.atomic
def merge(
    *,
    actor: User,
    survivor_id: UUID | str,
    merged_id: UUID | str,
    choices: Mapping[str, str] | None = None,
    request=None,
) -> Merge:
    """Merge `merged_id`'s record into `survivor_id`'s. `choices` maps a `CHOICES` key to
    "survivor" (the default) or "merged". Both records must be in the actor's scope (404)."""
    access.require(actor, "dedup.review")
    survivor = get_individual_for(actor, survivor_id)
    merged = get_individual_for(actor, merged_id)
    errors = Errors()
    if survivor.pk == merged.pk:
        errors.add(ALL, _("A record cannot be merged into itself."))
    chosen = {key: (choices or {}).get(key) or "survivor" for key in CHOICES}
    for key, side in (choices or {}).items():
        if key not in CHOICES or side not in ("survivor", "merged"):
            errors.add(ALL, _("Unknown choice “%(choice)s”.") % {"choice": key})
    errors.raise_if_any()
    survivor, merged = (
        Individual.objects.select_for_update().select_related("household").get(pk=pk)
        for pk in (survivor.pk, merged.pk)
    )
    takes_household = (
        chosen["household"] == "merged" and merged.household_id != survivor.household_id
    )
    if (
        takes_household
        and survivor.is_head
        and survivor.household.members.exclude(pk__in=(survivor.pk, merged.pk)).exists()
    ):
        raise ActionError.on(
            "household",
            _(
                "%(name)s heads a household with other members: make one of them head first, "
                "or keep this record's household."
            )
            % {"name": survivor.full_name},
        )
    if (
        not takes_household
        and merged.is_head
        and merged.household_id != survivor.household_id
        and merged.household.members.exclude(pk=merged.pk).exists()
    ):
        # Its members would be left without a head.
        raise ActionError.on(
            "household",
            _(
                "%(name)s heads a household with other members: make one of them head first, "
                "or keep that record's household."
            )
            % {"name": merged.full_name},
        )
    relations = _handled_relations()
    record = Merge(
        organization_id=survivor.organization_id,
        survivor=survivor,
        merged=merged,
        choices=chosen,
        merged_by=actor,
        before={
            "survivor": _snapshot(survivor, SNAPSHOT),
            "merged": _snapshot(merged, ("is_head",)),
        },
    )
    # The tombstone first: it gives up its head's place before the survivor may take it.
    Individual.with_merged.filter(pk=merged.pk).update(
        merged_into=survivor, is_head=False, updated_at=timezone.now()
    )
    for key, side in chosen.items():
        if side == "merged":
            for name in CHOICES[key]:
                attname = _attname(name)
                setattr(survivor, attname, getattr(merged, attname))
    survivor.other_names = _alias(survivor, merged)
    survivor.languages = list(dict.fromkeys([*survivor.languages, *merged.languages]))
    survivor.specific_needs = list(
        dict.fromkeys([*survivor.specific_needs, *merged.specific_needs])
    )
    for name in WASHINGTON_GROUP:
        if not getattr(survivor, name):
            setattr(survivor, name, getattr(merged, name))
    survivor.name_key = registry_normalize.name_key(
        survivor.given_names, survivor.first_surname, survivor.second_surname
    )
    survivor.save()
    record.moved = {
        f"{label}.{name}": _move((label, name), field, merged, survivor)
        for (label, name), field in relations.items()
    }
    record.save()
    _remember(actor, survivor, merged, Decision.Verdict.SAME)
    details = _details(record)
    changed = [k for k, side in chosen.items() if side == "merged"]
    for person in (survivor, merged):
        audit.record(
            actor=actor,
            action="dedup.individual.merged",
            target=person,
            fields=changed,
            request=request,
            details=details,
        )
    return record


@transaction.atomic
def undo_merge(*, actor: User, merge_record: Merge, request=None) -> Merge:
    """Put both records back as they were before the merge (the caller scoped it)."""
    access.require(actor, "dedup.undo")
    record = Merge.objects.select_for_update().get(pk=merge_record.pk)
    if record.undone_at is not None:
        raise ActionError.general(_("This merge was already undone."))
    survivor = Individual.with_merged.select_for_update().get(pk=record.survivor_id)
    merged = Individual.with_merged.select_for_update().get(pk=record.merged_id)
    if survivor.merged_into_id is not None:
        raise ActionError.general(
            _("The record kept was merged again later: undo that merge first.")
        )
    if merged.merged_into_id != survivor.pk:
        raise ActionError.general(_("The merged record no longer points to the one kept."))
    _restore(survivor, record.before["survivor"])
    survivor.save()
    head_again = bool(record.before["merged"].get("is_head"))
    if (
        head_again
        and Individual.objects.filter(household_id=merged.household_id, is_head=True).exists()
    ):
        raise ActionError.general(
            _("%(name)s's household has another head now: change that first.")
            % {"name": merged.full_name}
        )
    Individual.with_merged.filter(pk=merged.pk).update(
        merged_into=None, is_head=head_again, updated_at=timezone.now()
    )
    fields = relations_to_individual()
    for key, moved in record.moved.items():
        label, name = key.rsplit(".", 1)
        _move_back(fields[(label, name)], moved, merged, survivor)
    low, high = _ordered(survivor, merged)
    Decision.objects.filter(first_id=low, second_id=high, verdict=Decision.Verdict.SAME).delete()
    record.undone_at = timezone.now()
    record.undone_by = actor
    record.save(update_fields=["undone_at", "undone_by"])
    details = _details(record)
    for person in (survivor, merged):
        audit.record(
            actor=actor,
            action="dedup.individual.merge_undone",
            target=person,
            request=request,
            details=details,
        )
    return record
