"""Run a `flask` command in a child process forked from the test process.

A child started afresh (`python -m flask …`) spends about 1.4 s of CPU importing the app before
its command runs; a forked child already holds those modules. It is still a process of its own:
its environment, its app (built from that environment, as `flask --app app` builds it), its
logging, its exit status and its stdout/stderr, which it writes to files the parent reads back.
"""

import inspect
import logging
import os
import signal
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass


@dataclass
class Completed:
    """What subprocess.run would give back: the exit status and both outputs."""

    returncode: int
    stdout: str
    stderr: str


def run_flask(args: list[str], env: dict[str, str], cwd: str, timeout: float = 120) -> Completed:
    """Run `flask ARGS` in `cwd` with exactly `env` as the environment, in a forked child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            _child(args, env, cwd, out.fileno(), err.fileno())
        returncode = _wait(pid, timeout)
        out.seek(0)
        err.seek(0)
        return Completed(returncode, out.read().decode(), err.read().decode())


def _child(args: list[str], env: dict[str, str], cwd: str, out: int, err: int) -> None:
    code = 1
    try:
        os.chdir(cwd)
        sys.path.insert(0, cwd)  # as `python -m flask` run in cwd has it
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - flushed before _exit
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
        os.environ.clear()
        os.environ.update(env)
        sys.modules.pop("app", None)  # `--app app` builds the app from this environment
        _fresh_logging()
        _alembic_prints_here()
        _fresh_interpreter_warnings()
        from flask.cli import main

        sys.argv = ["flask", *args]
        main()
        code = 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _fresh_logging() -> None:
    """Drop every log handler the parent added (pytest's captures, the app's handler on the
    parent's stdout): the child's app and RQ add their own, on this child's streams, as they
    would in a process started afresh."""
    for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
        for handler in list(getattr(logger, "handlers", ())):  # a PlaceHolder has none
            if type(handler) is not logging.NullHandler:  # a library's own, from its import
                logger.removeHandler(handler)


def _alembic_prints_here() -> None:
    """Point alembic's Config at this child's stdout.

    Its `stdout` argument defaults to the sys.stdout of the moment alembic was imported: in the
    parent, under pytest's capture, where this child's output would be lost.
    """
    import alembic.config

    init = alembic.config.Config.__init__
    captured = inspect.signature(init).parameters["stdout"].default
    init.__defaults__ = tuple(sys.stdout if d is captured else d for d in init.__defaults__)


def _fresh_interpreter_warnings() -> None:
    """Python's own warning filters, not pytest's (which turn every warning into an error)."""
    warnings.resetwarnings()
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category)


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise TimeoutError(f"flask command still running after {timeout} s")
        time.sleep(0.01)
