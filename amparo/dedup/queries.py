"""Every read of the deduplication screens, already scoped: the registry as linkage records,
the review queue, one pair, the merges."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pyarrow as pa
from django.db.models import Exists, OuterRef, QuerySet

from amparo.core import access
from amparo.core.models import User
from amparo.dedup.models import CandidatePair, Decision, LinkageModel, Merge, Run
from amparo.dedup.records import COLUMNS
from amparo.registry.models import Document, Individual
from amparo.registry.queries import individuals_visible_to

BATCH = 20_000  # people read per query when the registry becomes linkage records


def latest_model(organization_id: int) -> LinkageModel | None:
    return LinkageModel.objects.filter(organization_id=organization_id).order_by("-version").first()


def _batches(people: QuerySet[Individual]) -> Iterator[list]:
    """The people in id order, `BATCH` at a time (a keyset, never an OFFSET)."""
    last = 0
    fields = (
        "pk",
        "given_names",
        "first_surname",
        "second_surname",
        "date_of_birth",
        "dob_estimated",
        "sex",
        "phone",
        "household__area__code",
        "household__address",
    )
    while True:
        rows = list(people.filter(pk__gt=last).order_by("pk").values_list(*fields)[:BATCH])
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def _as_table(rows: list, documents: dict) -> pa.Table:
    """One batch as an Arrow table (the Python rows are dropped batch by batch: at a million
    people, lists of them all would cost more memory than the linkage itself)."""
    columns: dict[str, list] = {name: [] for name in COLUMNS}
    for pk, given, first, second, born, estimated, sex, phone, area, address in rows:
        document = documents.get(pk, (None, None))
        columns["id"].append(str(pk))
        columns["given_names"].append(given)
        columns["first_surname"].append(first)
        columns["second_surname"].append(second or None)
        columns["date_of_birth"].append(born.isoformat())
        columns["dob_estimated"].append(bool(estimated))
        columns["sex"].append(sex or None)
        columns["document_type"].append(document[0])
        columns["document_number"].append(document[1])
        columns["phone"].append(phone or None)
        columns["area"].append(area)
        columns["address"].append(address or None)
    types = {"dob_estimated": pa.bool_()}
    return pa.table(
        {name: pa.array(values, types.get(name, pa.string())) for name, values in columns.items()}
    )


def linkage_records(people: QuerySet[Individual], progress=None) -> pa.Table:
    """The people as `linkage.COLUMNS` records; the id is the record's primary key, and the
    document the first one entered (a person's national ID or passport, usually)."""
    tables = []
    done = 0
    for rows in _batches(people):
        documents: dict[int, tuple[str | None, str | None]] = {}
        for owner, kind, number in (
            Document.objects.filter(individual_id__in=[row[0] for row in rows])
            .order_by("individual_id", "-id")
            .values_list("individual_id", "type", "number")
        ):
            documents[owner] = (kind, number)  # the first entered wins (ordered by -id)
        tables.append(_as_table(rows, documents))
        done += len(rows)
        if progress is not None:
            progress(done)
    if not tables:
        return _as_table([], {})
    return pa.concat_tables(tables).combine_chunks()


# --- runs and the review queue --------------------------------------------------------------


def may_review(user: User) -> bool:
    return access.can(user, "dedup.review")


def runs_visible_to(user: User) -> QuerySet[Run]:
    if not access.can_any(user, ("dedup.run", "dedup.review")):
        return Run.objects.none()
    return access.visible(
        user, Run.objects.select_related("model", "started_by"), office_field=None
    )


def latest_run(user: User) -> Run | None:
    return runs_visible_to(user).filter(state=Run.State.FINISHED).order_by("-started_at").first()


def _decided(verdicts: tuple[str, ...]) -> Exists:
    return Exists(
        Decision.objects.filter(
            first_id=OuterRef("first_id"), second_id=OuterRef("second_id"), verdict__in=verdicts
        )
    )


def queue_for(user: User, *, unsure: bool = False) -> QuerySet[CandidatePair]:
    """The latest run's pairs the user may review, most likely first: both records still
    standing (not merged) and in the user's scope; no decision yet (or "not sure", when
    `unsure`). A pair someone called different people never comes back."""
    run = latest_run(user) if may_review(user) else None
    if run is None:
        return CandidatePair.objects.none()
    people = individuals_visible_to(user).values("pk")
    pairs = CandidatePair.objects.filter(run=run, first__in=people, second__in=people)
    if unsure:
        pairs = pairs.filter(_decided((Decision.Verdict.UNSURE,)))
    else:
        pairs = pairs.exclude(_decided(tuple(Decision.Verdict.values)))
    return pairs.select_related("first__household", "second__household").order_by(
        "-probability", "first_id", "second_id"
    )


def get_pair_for(user: User, pair_id: int | str) -> CandidatePair:
    """One pair of the latest run whose two records the reviewer may see; 404 otherwise."""
    run = latest_run(user) if may_review(user) else None
    people = individuals_visible_to(user).values("pk")
    pairs = CandidatePair.objects.filter(run=run, first__in=people, second__in=people)
    return access.get_visible(pairs.select_related("first", "second"), pk=pair_id)


def decision_on(first: Individual, second: Individual) -> Decision | None:
    low, high = sorted((first.pk, second.pk))
    return Decision.objects.filter(first_id=low, second_id=high).first()


def cluster_of(pair: CandidatePair, user: User) -> list[Individual]:
    """The other standing records the run put in the pair's group, that the user may see."""
    ids = set()
    for first, second in CandidatePair.objects.filter(
        run_id=pair.run_id, cluster=pair.cluster
    ).values_list("first_id", "second_id")[:50]:
        ids |= {first, second}
    ids -= {pair.first_id, pair.second_id}
    return list(individuals_visible_to(user).filter(pk__in=ids).order_by("pk"))


# --- merges ----------------------------------------------------------------------------------


def merges_visible_to(user: User) -> QuerySet[Merge]:
    """The organization's merges, for those who may undo them (administrators)."""
    if not access.can(user, "dedup.undo"):
        return Merge.objects.none()
    return access.visible(
        user,
        Merge.objects.select_related("merged_by", "undone_by").order_by("-merged_at"),
        office_field=None,
    )


def get_merge_for(user: User, merge_id: UUID | str) -> Merge:
    return access.get_visible(merges_visible_to(user), uuid=merge_id)


def merges_into(person: Individual) -> QuerySet[Merge]:
    """The standing merges that ended in `person` (the caller has scoped the person)."""
    return Merge.objects.filter(survivor=person, undone_at__isnull=True).order_by("merged_at")


def pending_count(user: User) -> int:
    return queue_for(user).count()
