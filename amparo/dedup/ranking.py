"""The registration screen's duplicate check, ranked by the organization's trained model.

The registry finds the candidates (`registry.duplicates`, fast at national scale); this ranks
them by the model's match probability and adds its reasons in words (given names agree, the
document disagrees…), so that the officer reads why rather than a bare score. Registered with
the registry from `DedupConfig.ready`; without a trained model it changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pyarrow as pa

from amparo.core.models import User
from amparo.dedup import levels, linkage, queries, words
from amparo.dedup.models import LinkageModel
from amparo.registry.duplicates import Candidate
from amparo.registry.models import Individual

logger = logging.getLogger(__name__)

_parameters: dict[int, dict] = {}  # a model version's parameters, by its id (they never change)


def _model(organization_id: int) -> dict | None:
    newest = (
        LinkageModel.objects.filter(organization_id=organization_id)
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )
    if newest is None:
        return None
    if newest not in _parameters:
        _parameters[newest] = LinkageModel.objects.get(pk=newest).parameters
    return _parameters[newest]


def _record(data: Mapping) -> pa.Table:
    documents = data.get("documents") or [{}]
    born = data.get("date_of_birth")
    values = {
        "id": "new",
        "given_names": data.get("given_names") or None,
        "first_surname": data.get("first_surname") or None,
        "second_surname": data.get("second_surname") or None,
        "date_of_birth": born.isoformat() if hasattr(born, "isoformat") else (born or None),
        "sex": data.get("sex") or None,
        "document_type": documents[0].get("type") or None,
        "document_number": documents[0].get("number") or None,
        "phone": data.get("phone") or None,
        "area": None,
        "address": None,
    }
    table = {key: pa.array([value], pa.string()) for key, value in values.items()}
    table["dob_estimated"] = pa.array([bool(data.get("dob_estimated"))], pa.bool_())
    return pa.table(table)


def rank(user: User, data: Mapping, candidates: list[Candidate]) -> None:
    """Order `candidates` by the model's probability (the registry's score breaks ties) and
    give each the model's reasons. The candidates are already in the user's scope."""
    if not candidates or user.organization_id is None:
        return
    model = _model(user.organization_id)
    if model is None:
        return
    people = Individual.objects.filter(pk__in=[c.individual.pk for c in candidates])
    try:
        scored = linkage.score(model, _record(data), queries.linkage_records(people))
    except levels.Unsupported:  # a model stored by a version that compared otherwise
        logger.warning("model of organization %s not readable; retrain it", user.organization_id)
        return
    for candidate in candidates:
        probability, weights = scored.get(str(candidate.individual.pk), (None, {}))
        candidate.probability = probability
        candidate.model_reasons = [
            f"{reason['label']}: {reason['verdict']}"
            for reason in words.reasons(weights)
            if reason["verdict"] != words.verdict(0)
        ]
    candidates.sort(key=lambda c: (-(c.probability or 0.0), -c.score))
