"""A what-if RQ worker for the pipeline benchmark's experiments; NOT what the Procfile runs.

    python -m benchmarks.experiment_worker simple          # rq.SimpleWorker: no fork per job
    python -m benchmarks.experiment_worker simple-async    # ... and synchronous_commit=off

It builds the app like `flask worker` (from the same environment, LEVER_RATE_LIMIT included) and
differs only where named, so the figures show what each change to lever_cezanne.jobs would buy.
"""

import sys

from rq import SimpleWorker, Worker
from rq.serializers import JSONSerializer

from lever_cezanne import create_app

MODES = ("fork", "simple", "simple-async")


def main(mode: str) -> None:
    if mode not in MODES:
        raise SystemExit(f"mode must be one of {MODES}")
    config = {}
    if mode.endswith("-async"):
        # Each step stays its own transaction; only the wait for the WAL flush goes.
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": True,
            "connect_args": {"options": "-c synchronous_commit=off"},
        }
    app = create_app(config)
    with app.app_context():
        from lever_cezanne.deliveries.queue import redis_connection, rq_queue

        worker_class = Worker if mode == "fork" else SimpleWorker
        worker = worker_class(
            [rq_queue()],
            connection=redis_connection(),
            serializer=JSONSerializer,
            log_job_description=False,
        )
        worker.work(with_scheduler=False)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "simple")
