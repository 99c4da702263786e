"""Who lives in a household, by weight: nationalities, population groups, household sizes,
relationships and age bands of a displaced population in Ecuador and Panama."""

from __future__ import annotations

from bisect import bisect
from collections.abc import Iterable
from itertools import accumulate


class Weighted:
    """Weighted choice via one random() and a bisect over cumulative weights."""

    __slots__ = ("cum", "total", "values")

    def __init__(self, pairs: Iterable[tuple[object, float]]):
        pairs = list(pairs)
        self.values = tuple(v for v, _ in pairs)
        self.cum = tuple(accumulate(w for _, w in pairs))
        self.total = self.cum[-1]

    def pick(self, rnd) -> object:
        return self.values[bisect(self.cum, rnd() * self.total)]


HOST = "HOST"  # the country of the office, e.g. EC for iom-ec/quito
NATIONALITIES = Weighted((("VE", 70), ("CO", 15), (HOST, 7), ("HT", 5), ("CU", 3)))
HOUSEHOLD_SIZE = Weighted(((1, 22), (2, 20), (3, 20), (4, 17), (5, 10), (6, 6), (7, 3), (8, 2)))
FOREIGN_GROUPS = {
    "VE": Weighted(
        (("refugee", 10), ("asylum_seeker", 14), ("migrant_regular", 36), ("migrant_irregular", 40))
    ),
    "CO": Weighted(
        (("refugee", 40), ("asylum_seeker", 25), ("migrant_regular", 20), ("migrant_irregular", 15))
    ),
    "HT": Weighted(
        (("refugee", 5), ("asylum_seeker", 15), ("migrant_regular", 25), ("migrant_irregular", 55))
    ),
    "CU": Weighted(
        (("refugee", 10), ("asylum_seeker", 25), ("migrant_regular", 25), ("migrant_irregular", 40))
    ),
    "EC": Weighted((("asylum_seeker", 10), ("migrant_regular", 50), ("migrant_irregular", 40))),
}
NATIONAL_GROUPS = Weighted((("host_community", 60), ("returnee", 35), ("idp", 5)))
OTHER_RELATIONSHIPS = Weighted(
    (
        ("child", 72),
        ("parent", 5),
        ("sibling", 7),
        ("grandchild", 4),
        ("other_relative", 9),
        ("non_relative", 3),
    )
)
SOLE_COMPANION = Weighted(
    (
        ("child", 72),
        ("parent", 8),
        ("sibling", 9),
        ("other_relative", 6),
        ("non_relative", 5),
    )
)
# (low, high) age bands, inclusive, for heads of household.
HEAD_AGE_BANDS = Weighted(
    (
        ((18, 24), 17),
        ((25, 29), 20),
        ((30, 34), 18),
        ((35, 39), 14),
        ((40, 44), 10),
        ((45, 49), 7),
        ((50, 54), 5),
        ((55, 59), 4),
        ((60, 64), 2.5),
        ((65, 69), 1.5),
        ((70, 79), 0.8),
        ((80, 90), 0.2),
    )
)
# Children of the head, before capping by the parents' ages.
CHILD_AGE_BANDS = Weighted((((0, 4), 22), ((5, 11), 38), ((12, 17), 30), ((18, 25), 10)))
OTHER_RELATIVE_AGE_BANDS = Weighted(
    (((0, 4), 18), ((5, 11), 22), ((12, 17), 18), ((18, 29), 20), ((30, 49), 15), ((50, 75), 7))
)
