"""REST API for the service directory (placeholder until the endpoints land)."""


def register(router) -> None:
    """Add the directory's endpoints to the /api/v1/ router."""
