"""gunicorn config for the ack benchmark: a no-op Flask POST beside the real app, as baseline.

Loaded with GUNICORN_CMD_ARGS="-c python:benchmarks.noop_post" on the Procfile's own web line, so
the baseline runs in the same gunicorn, workers, threads and middleware as the receiver. The
route parses the JSON body and answers 200; it is never part of the application.
"""

NOOP_PATH = "/bench/noop"


def post_worker_init(worker) -> None:
    from flask import jsonify, request

    from lever_cezanne.extensions import csrf

    def bench_noop():
        request.get_json(force=True)  # parse the body, as the receiver does
        return jsonify(status="ok")

    worker.wsgi.add_url_rule(NOOP_PATH, "bench_noop", csrf.exempt(bench_noop), methods=["POST"])
