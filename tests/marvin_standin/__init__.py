"""A Marvin stand-in: fake ``nosetests`` / ``python -m nose`` and a minimal ``marvin`` package."""
