from tests.simulator_server import (  # noqa: F401 (fixtures)
    running_simulator,
    simulator_process,
)
