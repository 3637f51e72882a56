"""Command-line start-up (issue 17): ``rarecare --help`` and ``rarecare lists --help`` in a new
process each time, against ``python -c pass`` measured in the same run (the interpreter's own
start-up, the floor). Target: ``rarecare --help`` under 0.5 s.

    .venv/bin/python -m bench.bench_cli [runs]
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bench.report import pct, write_section

RARECARE = str(Path(sys.executable).with_name("rarecare"))
COMMANDS = {
    "python -c pass (reference)": [sys.executable, "-c", "pass"],
    "rarecare --help": [RARECARE, "--help"],
    "rarecare lists --help": [RARECARE, "lists", "--help"],
}


def _time(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    for command in COMMANDS.values():  # warm the file cache
        _time(command)
    timings = {name: [_time(command) for _ in range(runs)] for name, command in COMMANDS.items()}
    floor = pct(timings["python -c pass (reference)"], 50)
    rows = "\n".join(
        f"| `{name}` | {pct(t, 50) * 1000:.0f} ms | {pct(t, 95) * 1000:.0f} ms "
        f"| {pct(t, 50) / floor:.1f}× |"
        for name, t in timings.items()
    )
    body = f"""## Command line start-up (issue 17)

Command: `.venv/bin/python -m bench.bench_cli {runs}` — each command in a new process, {runs}
times, after one warm-up run; the interpreter's own start-up is the reference.

| command | p50 | p95 | p50 against `python -c pass` |
|---|---|---|---|
{rows}

Target: `rarecare --help` under 0.5 s. The packages' command groups are imported only when one
of them runs (a lazy root group); before, `--help` imported every package, the diagnosis engine
and the PDF writer included (1.9 s on the same machine)."""
    write_section("cli", body)
    print(body)


if __name__ == "__main__":
    main()
