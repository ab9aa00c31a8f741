"""The test suite (unit, integration, end-to-end over HTTP, browser).

Some shells set PYTHONDONTWRITEBYTECODE=1. Each pytest process, each xdist worker and each
process a test starts would then compile every module of the project and rewrite every test
module again: several seconds of CPU each, half of a worker's collection. Importing this
package (pytest does so before tests/conftest.py) lets Python write its bytecode caches
(__pycache__, ignored by git) whatever the shell says, as `make test` does; processes started
afterwards (the workers, bot processes) inherit the environment without the variable.
"""

import os
import sys

sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
