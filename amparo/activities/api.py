"""REST API for services given (placeholder until the endpoints land)."""


def register(router) -> None:
    """Add this app's endpoints to the /api/v1/ router."""
