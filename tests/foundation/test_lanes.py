"""`make test` gives each lane of the serial suites a pytest-xdist worker of its own."""

import re
from pathlib import Path

from tests.workers import LANES

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"


def test_the_makefile_starts_one_worker_per_lane():
    lanes = re.search(r"^SERIAL_LANES := (\d+)$", MAKEFILE.read_text(), re.MULTILINE)
    assert lanes, "the Makefile sets SERIAL_LANES"
    assert int(lanes.group(1)) == len({lane for _, lane in LANES}), (
        "SERIAL_LANES in the Makefile must be the number of lanes in tests/workers.py: LANES"
    )
