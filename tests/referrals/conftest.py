from tests.case_fixtures import *  # noqa: F403
from tests.referrals.network_fixtures import *  # noqa: F403
