"""REST API for referrals (placeholder)."""


def register(router) -> None:
    """Add the referral endpoints to the /api/v1/ router."""
