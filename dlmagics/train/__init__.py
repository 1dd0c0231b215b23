"""The training wing: %train_demo, the experiments that made deep learning work, trained live
as races (demos.py: the experiments and their lessons; engine.py: the race), and %%train, a
learner's own loop watched live with a doctor (watch.py: PyTorch's hooks; own.py: the run;
doctor/: the diagnoses). wing.py: the magics; trainer.py: the run in the background;
dashboard.py, frames.py, own_frames.py and pictures.py: how a run looks.

The views draw a result and are found through ../views.py (VIEWS below), so no result
imports them: plot.py draws ``DemoResult.plot()``'s figure, own_plot.py ``OwnResult.plot()``'s.
"""

VIEWS = ("plot", "own_plot", "gradcam_view")
