"""Every write to registry records. One transaction each; the audit event in the same function.

Split by job: `validation` (the rules), `registration` (one household at a time), `loading`
(bulk), `changes` (edits, moves, import settings), `notices` (to the GBV team). Callers use
`actions.<name>`. Refused input raises `amparo.core.errors.ActionError`.
"""

from amparo.registry.actions.changes import *  # noqa: F403
from amparo.registry.actions.loading import *  # noqa: F403
from amparo.registry.actions.notices import *  # noqa: F403
from amparo.registry.actions.registration import *  # noqa: F403
from amparo.registry.actions.validation import *  # noqa: F403
