"""``python -m evodash.simulator --port 8081 --api-key KEY``."""

from evodash.simulator.server import main

main()
