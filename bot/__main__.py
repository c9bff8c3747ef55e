"""``python -m bot`` is the same as the ``touchstone`` console script."""

import sys

from bot.cli import main

sys.exit(main())
