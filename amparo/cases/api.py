"""REST API for cases (placeholder)."""


def register(router) -> None:
    """Add the case endpoints to the /api/v1/ router."""
