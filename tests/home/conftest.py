from tests.case_fixtures import *  # noqa: F403
