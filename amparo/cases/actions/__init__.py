"""Every write to cases. One transaction each; the audit event in the same function.

Each action checks its own rights: the permission (404 when missing), and that the case is one
the actor may see (404 otherwise). Bad input raises `ActionError` with messages by field, before
anything is written. Audit details never hold narrative text.

Split by job: `lifecycle` (open, change, advance, closure, reopen, transfer), `plan` (plan, plan
actions, approvals that follow the risk), `follow_ups` (follow-ups and notes), `team` (members,
GBV team), `incidents` (GBVIMS), `consent` (child consent, decisions per service, safety),
`walk_in` (a survivor not in the registry), `reporting` (to the GBV coordination group) and
`_checks` (what they share).
Callers use `actions.<name>`.
"""

from amparo.cases.actions.consent import *  # noqa: F403
from amparo.cases.actions.follow_ups import *  # noqa: F403
from amparo.cases.actions.incidents import *  # noqa: F403
from amparo.cases.actions.lifecycle import *  # noqa: F403
from amparo.cases.actions.plan import *  # noqa: F403
from amparo.cases.actions.reporting import *  # noqa: F403
from amparo.cases.actions.team import *  # noqa: F403
from amparo.cases.actions.walk_in import *  # noqa: F403
