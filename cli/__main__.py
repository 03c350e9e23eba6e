"""`python -m cli ARGS` is `hiyoko ARGS`."""

import sys

from cli import main

sys.exit(main())
