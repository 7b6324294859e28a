"""python -m resettle.matching solve PROBLEM.json --out RESULT.json [--time-limit S]"""

import sys

from resettle.matching.engine.cli import main, process_started

if __name__ == "__main__":
    sys.exit(main(started=process_started()))
