"""JupyterLab server for the Galata tests: Galata's defaults, and root allowed (CI runs as root)."""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 (c is the config object Jupyter passes in)
c.ServerApp.allow_root = True  # noqa: F821
c.LabApp.news_url = None  # noqa: F821 (no network here)
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821
c.ServerApp.log_level = "ERROR"  # noqa: F821 (Galata's clean-up 404s are noise in CI logs)

import os  # noqa: E402

os.environ.setdefault("DLMAGICS_LEARNER", "galata")  # the kernels' learner: the same option order on every machine
