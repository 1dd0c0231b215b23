"""The %train_demo wing: the experiments that made deep learning work, trained live as races
(wing.py: the magic; demos.py: the experiments and their lessons; trainer.py: the run in the
background; dashboard.py and pictures.py: how a run looks).

The views draw a result and are found through ../views.py (VIEWS below), so no result
imports them: plot.py draws ``DemoResult.plot()``'s figure.
"""

VIEWS = ("plot",)
