"""python -m resettle.matching solve PROBLEM.json --out RESULT.json [--time-limit S]"""

import os
import sys

from resettle.matching.engine.cli import main, process_started

if __name__ == "__main__":
    code = main(started=process_started())
    # the result file is written and closed: exit without tearing the interpreter down, which frees
    # every array one by one (0.2 s on a quiet machine, 0.7 s with a busy core, counted in the limit)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
