"""Every write to referrals and to the Care Route directory. One transaction each; the audit
event in the same function. Refused input raises `amparo.core.errors.ActionError`.

Split by job: `referrals` (send, answer and move a referral through its states),
`directory` (providers, services, care routes and their steps) and `intake` (one-time links
for care posts, their intakes and the printed form's). Callers use `actions.<name>`.
"""

from amparo.referrals.actions.directory import *  # noqa: F403
from amparo.referrals.actions.intake import *  # noqa: F403
from amparo.referrals.actions.referrals import *  # noqa: F403
