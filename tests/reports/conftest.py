# The programme, cycle and people of the assistance tests: a report counts what they make.
from tests.assistance.conftest import (  # noqa: F401 (fixtures)
    cycle,
    households,
    manager,
    officer,
    project,
    registrar,
)
