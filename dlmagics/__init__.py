"""dlmagics: learn the deep-learning revolution hands-on in Jupyter.

Load it in a notebook with ``%load_ext dlmagics``. Importing the package is cheap: it
imports neither torch nor ipywidgets; the magics import what they need when they run.
"""

from .version import __version__

__all__ = ["__version__", "gradcam"]


def __getattr__(name: str):
    """``dlmagics.gradcam(model, images)``: Grad-CAM of a CNN (dlmagics/train/gradcam.py),
    imported on first use so that ``import dlmagics`` stays light (no torch, no captum)."""
    if name == "gradcam":
        from .train.gradcam import gradcam

        return gradcam
    raise AttributeError(f"module 'dlmagics' has no attribute {name!r}")


def _jupyter_labextension_paths():
    """Where `jupyter labextension develop` finds the built sidebar."""
    return [{"src": "labextension", "dest": "dlmagics"}]


def load_ipython_extension(ipython):
    """Called by ``%load_ext dlmagics``: register the magics and open the sidebar channel."""
    from .magics import load

    load(ipython)


def unload_ipython_extension(ipython):
    """Called by ``%unload_ext dlmagics``: stop the monitor, close the channel, drop the magics."""
    from .magics import unload

    unload(ipython)
