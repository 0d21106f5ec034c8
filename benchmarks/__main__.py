"""Run the benchmarks: `python -m benchmarks` (all) or `python -m benchmarks ack pages ...`."""

import argparse
import importlib
import logging
import os
import sys
import time
import traceback

from benchmarks import results
from benchmarks.dataset import Dataset
from benchmarks.helpers import QUICK, machine

# In run order: the in-process ones on the big data set first, then the servers.
BENCHMARKS = ["ack", "pipeline", "pages", "search", "memory"]


class Context:
    """What benchmarks share within one run: the big data set and the memory peaks seen."""

    def __init__(self, quick: bool):
        self.quick = quick
        self.dataset = Dataset()
        # role -> {"peak_kb", "idle_kb", "during"}: filled by ack, pipeline and memory.
        self.memory: dict[str, list[dict]] = {}

    def note_memory(self, role: str, peak_kb: int, idle_kb: int, during: str) -> None:
        self.memory.setdefault(role, []).append(
            {"peak_kb": peak_kb, "idle_kb": idle_kb, "during": during}
        )

    def close(self) -> None:
        self.dataset.close()


def run_one(name: str, ctx: Context, verbose: bool = False, where: str = "") -> results.Section:
    module = importlib.import_module(f"benchmarks.{name}")
    section = results.Section(name=name, title=module.TITLE, machine=where)
    section.date = results.now_text()
    section.load_average = " ".join(f"{x:.2f}" for x in os.getloadavg())
    start = time.perf_counter()
    print(f"\n=== {name}: {module.TITLE} (load average {section.load_average})", flush=True)
    try:
        module.run(ctx, section)
    except Exception as exc:
        traceback.print_exc()
        section.error = f"{type(exc).__name__}: {exc}"
    section.seconds = time.perf_counter() - start
    if verbose:
        print("\n".join(section.notes))
    print(results.text_table([section]), flush=True)
    return section


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument("--no-record", action="store_true", help="do not rewrite RESULTS.md")
    parser.add_argument("-v", "--verbose", action="store_true", help="print each one's notes")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {BENCHMARKS}")
    names = [n for n in BENCHMARKS if n in args.names] if args.names else BENCHMARKS
    logging.basicConfig(level=logging.WARNING)
    info = machine() | {"date": results.now_text(), "quick": QUICK}
    print(f"Machine: {info}", flush=True)
    ctx = Context(QUICK)
    start = time.perf_counter()
    try:
        where = results.machine_text(info)
        sections = [run_one(name, ctx, args.verbose, where) for name in names]
    finally:
        ctx.close()
    total = time.perf_counter() - start
    print(f"\n=== Summary ({total:.0f} s)\n{results.text_table(sections)}")
    if not args.no_record:
        results.save(sections, info, BENCHMARKS)
        print(f"\nRecorded in {results.MARKDOWN_PATH}")
    return 1 if any(s.error for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
