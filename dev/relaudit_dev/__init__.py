"""Development tools of relaudit, kept out of the runtime package.

``relaudit_dev.demo`` generates the demo exports in ``data/raw/``. It is not
installed with relaudit: ``make demo-data``, the tests (``pythonpath`` in
pyproject.toml) and the benchmarks put ``dev/`` on the path.
"""
