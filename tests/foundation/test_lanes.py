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


def test_the_serial_phase_collects_every_lanes_tests():
    """`make test` hands its serial phase the lanes' files, so it need not import the rest."""
    paths = re.search(r"^SERIAL_PATHS := (.+)$", MAKEFILE.read_text(), re.MULTILINE)
    assert paths, "the Makefile sets SERIAL_PATHS"
    folders = [path.rstrip("/") + "/" for path in paths.group(1).split()]
    for prefix, _ in LANES:
        file = prefix.partition("::")[0]
        assert any((file + "/").startswith(folder) for folder in folders), (
            f"LANES names {file}, which SERIAL_PATHS in the Makefile does not hold"
        )


def test_every_lane_prefix_names_tests_that_exist():
    """A renamed test would drop out of its lane unnoticed, into the bulk of the suite."""
    root = MAKEFILE.parent
    for prefix, _ in LANES:
        path, _, test = prefix.partition("::")
        assert (root / path).exists(), f"LANES names {path}, which does not exist"
        if test:
            name, _, case = test.partition("[")
            source = (root / path).read_text()
            assert f"def {name}(" in source, f"LANES names {name}, not a test of {path}"
            assert f'"{case.rstrip("]")}"' in source, f"LANES names {test}, not a case of {name}"
