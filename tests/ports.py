"""Ports for the servers the tests start (gunicorn, Redis, SMTP, the simulator), and for a
Redis that is down (a port nothing listens on).

A port is chosen first and bound later, by a process that may take seconds to start. A port the
kernel hands out (bind to port 0) is in its ephemeral range, from which it also takes the local
port of every outgoing connection and of every other bind to port 0: another lane's server could
take it in the meantime, and a test would then talk to that server instead of its own (it
happened: two browser lanes, one gunicorn, a sign-in refused). So the ports come from below the
ephemeral range (32768-60999 on Linux by default), from a block of this xdist worker's own, and
never twice in one process.
"""

import os
import socket

FIRST_PORT = 21000
BLOCK = 500  # ports per xdist worker: far more servers than one worker's tests start
_handed_out: set[int] = set()


def _block_start() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return FIRST_PORT + int(worker.removeprefix("gw") or 0) * BLOCK


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now and that no other lane will be given."""
    start = _block_start()
    for port in range(start, start + BLOCK):
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:  # in use, or still closing: the next one
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port left in {start}-{start + BLOCK - 1}")
