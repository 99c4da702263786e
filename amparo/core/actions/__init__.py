"""Every write to core records. One transaction each; the audit event in the same function.

Split by job and re-exported, so callers keep writing `actions.create_user(...)`."""

from amparo.core.actions.areas import AREA_COLUMNS, AreaImportResult, import_areas
from amparo.core.actions.organizations import (
    create_office,
    create_organization,
    create_user,
    save_role,
    set_language,
    set_two_factor_policy,
    sync_builtin_roles,
    validate_assignment,
)
from amparo.core.actions.signin import (
    RECOVERY_CODES,
    confirm_two_factor_enrolment,
    issue_api_token,
    note_api_token_use,
    renew_recovery_codes,
    reset_two_factor,
    revoke_api_token,
    revoke_api_tokens_of,
    start_two_factor_enrolment,
    verify_second_factor,
)

__all__ = [
    "AREA_COLUMNS",
    "RECOVERY_CODES",
    "AreaImportResult",
    "confirm_two_factor_enrolment",
    "create_office",
    "create_organization",
    "create_user",
    "import_areas",
    "issue_api_token",
    "note_api_token_use",
    "renew_recovery_codes",
    "reset_two_factor",
    "revoke_api_token",
    "revoke_api_tokens_of",
    "save_role",
    "set_language",
    "set_two_factor_policy",
    "start_two_factor_enrolment",
    "sync_builtin_roles",
    "validate_assignment",
    "verify_second_factor",
]
