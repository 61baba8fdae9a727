"""Allow ``python -m venuemap``."""

import sys

from venuemap.cli import main

sys.exit(main())
