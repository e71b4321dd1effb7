"""Allow ``python -m vrtest``."""

from vrtest.cli import main

raise SystemExit(main())
