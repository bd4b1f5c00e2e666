"""Parse + check speed over the shared samples, on one core.

    python -m bench.parse [--repeat 50] [--samples DIR] [--strict] [--synthetic N]

Each sample is extracted once (file formats are not what this measures); then ``parse`` followed by
``check`` runs ``--repeat`` times and the median is reported (with the fastest run, and the median of
``check`` alone, to tell contention and the two stages apart), next to the median of one
``re.finditer(r"\\d+")`` pass over the same text — the floor of any reader that looks at every
number — and their ratio. Targets: ≤ 5 ms for wuyang_2020.txt, ≤ 50 ms for the largest sample.
``--strict`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

from reports.checks import check
from reports.extract import Limits, extract
from reports.parse import parse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SAMPLES = Path(os.environ.get("SAMPLES_DIR", ROOT.parent / "shared" / "samples"))
TARGET_SMALL = ("wuyang_2020.txt", 5.0)
TARGET_LARGEST_MS = 50.0
_NUMBER = re.compile(r"\d+")


def one_core() -> str:
    """Pin the process to one CPU so that figures compare across machines with more cores."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def timings_ms(fn, repeat: int) -> tuple[float, float]:
    """(median, fastest) of ``repeat`` runs after one warm-up run (imports, regex caches)."""
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, min(times) * 1000


def scan(text: str) -> int:
    return sum(1 for _ in _NUMBER.finditer(text))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.parse", description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES)
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--synthetic", type=int, default=0, metavar="N",
                    help="also time N generated reports per shape and scale (reports.synthetic)")
    args = ap.parse_args(argv)
    if not args.samples.is_dir():
        print(f"samples not found at {args.samples} (set SAMPLES_DIR or --samples)", file=sys.stderr)
        return 2
    load = f", load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    print(f"parse+check, median (and fastest) of {args.repeat} runs, {one_core()}{load}")
    files = sorted(p for p in args.samples.iterdir() if p.is_file() and p.suffix in (".txt", ".html"))
    largest = max(files, key=lambda p: p.stat().st_size).name
    header = ("sample", "bytes", "parse+check", "fastest", "check", r"\d+ scan", "ratio")
    print(f"{header[0]:32} {header[1]:>6} {header[2]:>12} {header[3]:>9} {header[4]:>9} {header[5]:>9} {header[6]:>6}"
          "  target")
    missed = []
    for path in files:
        data = path.read_bytes()
        [doc] = extract(data, path.name, limits=Limits()).documents
        text = doc.text()
        ms, fastest = timings_ms(lambda: check(parse(doc)), args.repeat)
        report = parse(doc)
        checking, _ = timings_ms(lambda: check(report), args.repeat)
        base, _ = timings_ms(lambda: scan(text), args.repeat)
        target = {TARGET_SMALL[0]: TARGET_SMALL[1], largest: TARGET_LARGEST_MS}.get(path.name)
        verdict = ""
        if target is not None:
            ok = ms <= target
            verdict = f"≤ {target:g} ms {'ok' if ok else 'MISSED'}"
            if not ok:
                missed.append(path.name)
        print(f"{path.name:32} {len(data):6d} {ms:9.2f} ms {fastest:6.2f} ms {checking:6.2f} ms {base * 1000:6.0f} µs"
              f" {ms / base:5.0f}×  {verdict}")
    if args.synthetic:
        synthetic(args.synthetic)
    return 1 if missed and args.strict else 0


def synthetic(n: int) -> None:
    """parse+check once per generated report, by shape and size of the counts: where the parser's
    time goes on inputs the samples do not cover (long glued digit runs above all)."""
    import random

    from reports import synthetic as syn

    shapes = {"lines": syn.render_text_lines, "collapsed": syn.render_collapsed, "html": syn.render_html}
    print(f"\ngenerated reports, {n} per shape and scale: median / slowest parse+check")
    for scale in (20, 400):
        for shape, render in shapes.items():
            times = []
            for seed in range(n):
                report = syn.generate(random.Random(seed), scale=scale)
                data = render(report).encode("utf-8")
                [doc] = extract(data, "report.html" if shape == "html" else "report.txt", limits=Limits()).documents
                t = time.perf_counter()
                check(parse(doc))
                times.append((time.perf_counter() - t) * 1000)
            print(f"  scale {scale:4d} {shape:10} {statistics.median(times):8.2f} ms {max(times):9.2f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
