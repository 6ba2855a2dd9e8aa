"""The production bot (`python -m bot`) under the sampling profiler, for `python -m bench.updates --profile`.

``python -m bench.profiled_bot REPORT``: runs the bot exactly as `python -m bot` does; SIGUSR1 forgets
the samples taken so far (the benchmark sends it once the bot polls, to leave out start-up and
migration), and at exit the report is written to REPORT.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from bench.sampling import Sampler
from bot.__main__ import main as bot_main


def main(argv: list[str]) -> int:
    report = Path(argv[0])
    with Sampler() as sampler:
        signal.signal(signal.SIGUSR1, lambda _signum, _frame: sampler.reset())
        code = bot_main([])
    report.write_text(sampler.report(top=40), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
