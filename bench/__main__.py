"""``python -m bench [NAME…]``: run the named benchmarks, or every one found in this package.

Each benchmark runs as its own ``python -m bench.<name>`` process (so one cannot warm caches or
leave tasks behind for the next), one after the other; its output passes straight through.
Extra arguments after ``--`` go to every benchmark run. The exit status is the first non-zero one.
"""

from __future__ import annotations

import argparse
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    parser = argparse.ArgumentParser(prog="python -m bench", description="run benchmarks")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(available())})")
    args = parser.parse_args(argv)
    names = args.names or available()
    unknown = [n for n in names if n not in available()]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
    status = 0
    for name in names:
        print(f"### bench.{name}", flush=True)
        started = time.perf_counter()
        rc = subprocess.call([sys.executable, "-m", f"bench.{name}", *extra], cwd=HERE.parent)
        print(f"### bench.{name}: exit {rc} in {time.perf_counter() - started:.1f} s\n", flush=True)
        status = status or rc
    return status


if __name__ == "__main__":
    raise SystemExit(main())
