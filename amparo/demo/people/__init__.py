"""Deterministic synthetic households and individuals.

The generator feeds demos, tests and benchmarks (up to about a million people), so it is
pure Python, does not import Django and is built for speed: name pools are drawn once per
process from Faker with fixed seeds, and everything else comes from a single
``random.Random(seed)`` stream.

Equal arguments give equal output; since households are generated one after another from
that single stream, ``generate_households(10)`` is also a prefix of
``generate_households(100)`` with the same seed, offices and date.

The profile is a displaced population registered in Ecuador and Panama: mostly Venezuelan
households, then Colombian, host-country nationals (returnees and host community),
Haitian and Cuban. Ages, names, documents, phones and specific needs are consistent with
each person's relationship to the head of household. Document numbers have realistic
formats but are random; ``(document_type, document_country, document_number)`` is unique
within one call to :func:`generate_households`.

Split by job: ``records`` (households, people, vocabularies), ``names`` (name pools per
culture, how each member is named, the country of an office), ``distributions`` (weights of
nationalities, groups, sizes, relationships and ages), ``composition`` (who lives in a
household), ``dates`` (dates of birth and registration), ``documents`` (documents and
phones), ``needs`` (specific needs), ``households`` (the generator, step by step) and
``export`` (CSV). Callers use ``people.<name>``.
"""

from amparo.demo.people.export import CSV_COLUMNS, write_csv
from amparo.demo.people.households import generate_households, generate_people
from amparo.demo.people.records import (
    DEFAULT_OFFICES,
    DEFAULT_TODAY,
    DOCUMENT_TYPES,
    POPULATION_GROUPS,
    RELATIONSHIPS,
    SEXES,
    SPECIFIC_NEEDS,
    Household,
    Person,
)

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_OFFICES",
    "DEFAULT_TODAY",
    "DOCUMENT_TYPES",
    "POPULATION_GROUPS",
    "RELATIONSHIPS",
    "SEXES",
    "SPECIFIC_NEEDS",
    "Household",
    "Person",
    "generate_households",
    "generate_people",
    "write_csv",
]
