"""Keep every benchmark's latest figures in results.json and render RESULTS.md and a table."""

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.helpers import Figure

HERE = Path(__file__).resolve().parent
JSON_PATH = HERE / "results.json"
MARKDOWN_PATH = HERE / "RESULTS.md"
ANALYSIS_PATH = HERE / "analysis.md"  # hand-written: causes and fixes, appended to RESULTS.md


@dataclass
class Section:
    """What one benchmark measured: figures with baselines and targets, and notes."""

    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    date: str = ""
    load_average: str = ""
    machine: str = ""  # each section its own: a later run of another section may be elsewhere
    error: str = ""


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if value != value:  # NaN
        return "n/a"
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _verdict(figure: Figure) -> str:
    return {True: "met", False: "MISSED", None: ""}[figure.passed]


def figure_rows(section: Section) -> list[list[str]]:
    rows = []
    for f in section.figures:
        baseline = f"{f.baseline} {_number(f.baseline_value)}" if f.baseline else ""
        ratio = _number(f.ratio) + "×" if f.ratio is not None else ""
        rows.append(
            [f.name, f"{_number(f.value)} {f.unit}", baseline, ratio, f.target, _verdict(f)]
        )
    return rows


HEADERS = ["figure", "value", "baseline (same run)", "ratio", "target", "result"]


def text_table(sections: list[Section]) -> str:
    """A plain-text summary table for the terminal."""
    rows = [HEADERS]
    for section in sections:
        if section.error:
            rows.append([f"[{section.name}] FAILED: {section.error}", "", "", "", "", ""])
            continue
        rows += [[f"[{section.name}] {r[0]}", *r[1:]] for r in figure_rows(section)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def load_saved() -> dict:
    if JSON_PATH.exists():
        return json.loads(JSON_PATH.read_text())
    return {"machine": {}, "sections": {}}


def save(sections: list[Section], machine: dict, order: list[str]) -> None:
    """Merge this run's sections into results.json and rewrite RESULTS.md."""
    saved = load_saved()
    saved["machine"] = machine
    for section in sections:
        saved["sections"][section.name] = asdict(section)
    JSON_PATH.write_text(json.dumps(saved, indent=2) + "\n")
    MARKDOWN_PATH.write_text(render(saved, order))


def _section_from(data: dict) -> Section:
    figures = [Figure(**f) for f in data.pop("figures")]
    return Section(figures=figures, **data)


def render(saved: dict, order: list[str]) -> str:
    machine = saved["machine"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks`); see README.md for what each benchmark "
        "does. Absolute times depend on the machine and on what else runs on it; the ratios "
        "against the baseline measured in the same run are what to compare.",
        "",
        "## Machine of the last run",
        "",
        f"- CPU: {machine_text(machine)}, RAM {machine.get('ram')}",
        f"- Python {machine.get('python')}, PostgreSQL {machine.get('postgresql')}, "
        f"Redis {machine.get('redis')}, Linux {machine.get('kernel')}",
        f"- Load average at the start of the last run: {machine.get('load_average')}",
        f"- Last run: {machine.get('date')}{' (QUICK)' if machine.get('quick') else ''}",
        "",
        "A run may leave out some benchmarks: each section below says when and on which CPU "
        "its own figures were measured.",
        "",
    ]
    sections = [_section_from(dict(saved["sections"][n])) for n in order if n in saved["sections"]]
    for section in sections:
        lines += _render_section(section)
    if ANALYSIS_PATH.exists():
        lines += [ANALYSIS_PATH.read_text()]
    return "\n".join(lines).rstrip() + "\n"


def machine_text(machine: dict) -> str:
    """The CPU a run measured on, as a section records it."""
    return f"{machine.get('cpu')} ({machine.get('cores')} cores)"


def _render_section(section: Section) -> list[str]:
    where = f" on {section.machine}" if section.machine else " (CPU not recorded)"
    lines = [
        f"## {section.title}",
        "",
        f"Run {section.date}{where}, load average before it {section.load_average}, "
        f"took {section.seconds:.0f} s.",
        "",
    ]
    if section.error:
        lines += [f"**The benchmark failed:** {section.error}", ""]
    if section.figures:
        lines.append("| " + " | ".join(HEADERS) + " |")
        lines.append("|" + "---|" * len(HEADERS))
        lines += ["| " + " | ".join(r) + " |" for r in figure_rows(section)]
        lines.append("")
    if section.notes:
        lines += [*section.notes, ""]
    return lines


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
