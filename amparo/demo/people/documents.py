"""Identity documents and phones: which document a person holds, and the number formats."""

from __future__ import annotations

from amparo.demo.people.distributions import Weighted

ADULT_DOCUMENTS = {
    "refugee": Weighted((("refugee_id", 55), ("national_id", 25), ("passport", 10), ("", 10))),
    "asylum_seeker": Weighted(
        (("asylum_application", 60), ("national_id", 25), ("passport", 5), ("", 10))
    ),
    "migrant_regular": Weighted(
        (("visa", 45), ("passport", 25), ("national_id", 25), ("other", 5))
    ),
    "migrant_irregular": Weighted((("national_id", 45), ("passport", 10), ("", 40), ("other", 5))),
}
NATIONAL_ADULT_DOCUMENTS = Weighted((("national_id", 95), ("", 5)))
YOUNG_CHILD_DOCUMENTS = Weighted((("birth_certificate", 55), ("", 35), ("passport", 10)))
CHILD_DOCUMENTS = Weighted(
    (("national_id", 35), ("birth_certificate", 35), ("passport", 10), ("", 20))
)

CO_MOBILE = tuple(str(n) for n in (*range(300, 306), *range(310, 324), 350, 351))
VE_MOBILE = ("412", "414", "416", "424", "426")
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
