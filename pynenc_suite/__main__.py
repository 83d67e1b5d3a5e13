"""``python -m pynenc_suite``: the same as the ``pynenc-suite`` command."""

import sys

from pynenc_suite.cli import main

sys.exit(main())
