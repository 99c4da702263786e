"""Every write of assistance. One transaction each; the audit event in the same function.
Refused input raises `amparo.core.errors.ActionError`.

Split by job: `programmes` (projects, opening a cycle), `delivery` (exactly-once delivery),
`cards` (beneficiary cards: issue, replace, revoke), `payments` (cash through a provider:
payment lists, reconciliation), `targeting` (rules' exceptions), `stock` (warehouses, kit
types, the ledger), `lifecycle` (closing a cycle, cancelling an entitlement, reversing a
delivery) and `monitoring` (post-distribution monitoring). Callers use `actions.<name>`.
"""

from amparo.assistance.actions.cards import *  # noqa: F403
from amparo.assistance.actions.delivery import *  # noqa: F403
from amparo.assistance.actions.lifecycle import *  # noqa: F403
from amparo.assistance.actions.monitoring import *  # noqa: F403
from amparo.assistance.actions.payments import *  # noqa: F403
from amparo.assistance.actions.programmes import *  # noqa: F403
from amparo.assistance.actions.stock import *  # noqa: F403
from amparo.assistance.actions.targeting import *  # noqa: F403
