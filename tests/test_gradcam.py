"""Grad-CAM on a task where the deciding pixels are known: each class of 16 x 16 images has a
bright square in its own corner, noise elsewhere. A small CNN trained here must be seen to
look at that corner; a randomised copy must not (the sanity check); the model is left as it
was (no hook, its mode and requires_grad); a frozen backbone still gets a map."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from torch import nn

from dlmagics.train.gradcam import GradCamError, find_layer, gradcam, spearman

SIDE, SHAPED = 16, 4
CLASSES = SHAPED + 1  # the last class: no shape (so a shape cannot be told by the others' absence)
STEPS = 200
# Four 5 x 5 shapes: a plus, a ring, a diagonal, a bar. Each image shows one, in a random
# quadrant, over noise, or none: the shape's pixels decide the class, and only they.
SHAPES = torch.zeros(CLASSES, 5, 5)
SHAPES[0, 2, :] = SHAPES[0, :, 2] = 1
SHAPES[1, [0, -1], :] = SHAPES[1, :, [0, -1]] = 1
SHAPES[2] = torch.eye(5)
SHAPES[3, 1:4, :] = 1


def shapes(n: int, seed: int, blank: bool = True) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """n images, their classes, and the quadrant of each one's shape (0: top left ... 3: bottom right)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, CLASSES if blank else SHAPED, (n,), generator=g)
    where = torch.randint(0, 4, (n,), generator=g).tolist()
    x = torch.rand(n, 1, SIDE, SIDE, generator=g) * 0.3
    for i, (k, q) in enumerate(zip(y.tolist(), where)):
        r, c = torch.randint(0, SIDE // 2 - 5 + 1, (2,), generator=g).tolist()
        r, c = r + SIDE // 2 * (q // 2), c + SIDE // 2 * (q % 2)
        x[i, 0, r:r + 5, c:c + 5] = torch.maximum(x[i, 0, r:r + 5, c:c + 5], SHAPES[k])
    return x, y, where


def quadrant_mass(maps, q: int) -> float:
    half = SIDE // 2
    quarter = maps[q // 2 * half:(q // 2 + 1) * half, q % 2 * half:(q % 2 + 1) * half]
    return float(quarter.sum() / max(maps.sum(), 1e-12))


def cnn() -> nn.Sequential:
    """The shape of the CNNs Grad-CAM was made for: convolutions, then a global average pool."""
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 16, 3, padding=1),
                         nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, CLASSES))


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    model = cnn()
    x, y, _ = shapes(512, seed=1)
    optimizer = torch.optim.Adam(model.parameters(), 1e-2)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a second thread on a busy 2-core machine makes this 40 times slower
    try:
        for step in range(STEPS):
            batch = slice((step * 64) % 512, (step * 64) % 512 + 64)
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    finally:
        torch.set_num_threads(threads)
    test_x, test_y, where = shapes(32, seed=2, blank=False)
    with torch.no_grad():
        assert (model(test_x).argmax(1) == test_y).float().mean() >= 0.9  # it learned the task
    return model, test_x, test_y, where


def test_the_map_falls_on_the_shape_that_decides_and_a_randomised_copy_fails_the_sanity_check(trained):
    model, x, y, where = trained
    cam = gradcam(model, x)
    assert (cam.layer, cam.read_at) == ("2", "3")  # the last Conv2d, found without being named, after its ReLU
    assert "at layer 2 (Conv2d), read after 3 (ReLU)" in repr(cam)
    masses = [quadrant_mass(m, q) for m, q in zip(cam.maps, where)]
    assert sum(mass > 0.5 for mass in masses) >= 0.8 * len(masses), masses
    assert cam.explained == y.tolist() and all(r != k for r, k in zip(cam.rival, cam.explained))
    # the sanity check: every layer randomised, the map no longer ranks the pixels as it did
    assert cam.sanity is not None and cam.sanity.trusted and cam.sanity.similarity < 0.5
    assert "sanity check passed: with all 3 layers' weights randomised" in repr(cam)
    assert json.loads(json.dumps(cam.to_dict()))["sanity"]["trusted"] is True


def test_a_map_that_ignores_the_weights_is_called_untrustworthy(trained, monkeypatch):
    model, x, _, _ = trained
    from dlmagics.train import gradcam as module

    monkeypatch.setattr(module, "_randomise", lambda layer: None)  # a "randomisation" that changes nothing
    cam = gradcam(model, x[:4])
    assert cam.sanity.similarity == pytest.approx(1.0)
    assert not cam.sanity.trusted and "do not trust it" in cam.sanity.verdict()


def test_the_contrast_map_shows_the_class_rather_than_the_runner_up(trained):
    model, x, y, where = trained
    cam = gradcam(model, x, sanity=False)
    masses = [quadrant_mass(m, q) for m, q in zip(cam.contrast_maps, where)]
    assert sum(mass > 0.5 for mass in masses) >= 0.8 * len(masses), masses
    # Explaining the runner-up instead (target=): its map, and the class it names.
    rival = gradcam(model, x, target=cam.rival, sanity=False)
    assert rival.explained == cam.rival and rival.rival == cam.explained
    assert rival.maps == pytest.approx(cam.rival_maps, abs=1e-5)


def test_no_hook_is_left_and_the_model_is_as_it_was(trained):
    model, x, _, _ = trained
    model.train()
    model[0].eval()  # a mixed mode (a frozen batch norm, say) is kept as it was too
    flags = [p.requires_grad for p in model.parameters()]
    grads = [p.grad.clone() for p in model.parameters()]  # the last training step's
    model[0].weight.requires_grad_(False)
    flags[0] = False
    global_hooks = [dict(h) for h in (nn.modules.module._global_forward_hooks,
                                      nn.modules.module._global_backward_hooks,
                                      nn.modules.module._global_forward_pre_hooks)]
    with torch.no_grad():  # a caller inside no_grad still gets its maps
        cam = gradcam(model, x[:4])
    assert all(m.max() > 0 for m in cam.maps)
    for m in model.modules():
        assert not (m._forward_hooks or m._backward_hooks or m._forward_pre_hooks or m._backward_pre_hooks)
    assert [dict(h) for h in (nn.modules.module._global_forward_hooks, nn.modules.module._global_backward_hooks,
                              nn.modules.module._global_forward_pre_hooks)] == global_hooks
    assert model.training and not model[0].training and model[2].training
    assert [p.requires_grad for p in model.parameters()] == flags
    assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads))  # the learner's .grad untouched
    model[0].weight.requires_grad_(True)
    model.eval()


def test_a_frozen_backbone_still_gets_a_map(trained):
    model, x, _, where = trained
    for p in model.parameters():
        p.requires_grad_(False)
    try:
        cam = gradcam(model, x[:8], sanity=False)
    finally:
        for p in model.parameters():
            p.requires_grad_(True)
    assert all(m.max() == pytest.approx(1.0) for m in cam.maps) and not any(cam.empty)
    assert sum(quadrant_mass(m, q) > 0.5 for m, q in zip(cam.maps, where)) >= 6


def test_the_layer_can_be_named_or_given_and_a_model_without_conv_gets_one_line():
    model = cnn()
    assert find_layer(model, "0")[0] == "0"
    assert find_layer(model, model[2]) == ("2", model[2])
    with pytest.raises(GradCamError, match="Grad-CAM needs a convolutional layer") as raised:
        gradcam(nn.Sequential(nn.Flatten(), nn.Linear(64, 3)), torch.rand(2, 1, 8, 8))
    assert "\n" not in str(raised.value)
    with pytest.raises(GradCamError, match="not in the model; its convolutional layers: 0, 2"):
        find_layer(model, "body.conv")
    with pytest.raises(GradCamError, match="Grad-CAM needs a torch.nn.Module; got str"):
        gradcam("model.pt", torch.rand(2, 1, SIDE, SIDE))
    with pytest.raises(GradCamError, match=r"N x C x H x W"):
        gradcam(model, torch.rand(SIDE, SIDE))
    with pytest.raises(GradCamError, match="target must be a class from 0 to 4"):
        gradcam(model, torch.rand(2, 1, SIDE, SIDE), target=7)



def test_a_numpy_float64_image_gets_a_map_and_a_class_name_as_target_gets_one_line():
    model = cnn()
    one = np.random.default_rng(0).random((1, SIDE, SIDE))  # float64, as NumPy makes it
    cam = gradcam(model, one, sanity=False)
    assert cam.maps.shape == (1, SIDE, SIDE)
    with pytest.raises(GradCamError, match="target must be a class from 0 to 4"):
        gradcam(model, one, target="cat", sanity=False)
    with pytest.raises(GradCamError, match="target must be a class from 0 to 4"):
        gradcam(model, one, target=1.7, sanity=False)  # not cut to class 1


def test_raw_uint8_pixels_are_read_as_0_to_1_like_the_data_loader_gives_them():
    model = cnn()
    pixels = (np.random.default_rng(1).random((2, 1, SIDE, SIDE)) * 255).round().astype(np.uint8)
    raw = gradcam(model, pixels, sanity=False)
    scaled = gradcam(model, pixels.astype(np.float32) / 255, sanity=False)
    assert np.allclose(raw.probabilities, scaled.probabilities, atol=1e-6)
    assert np.allclose(raw.maps, scaled.maps, atol=1e-5)


def test_spearman_ranks_ties_by_their_mean():
    a = torch.tensor([0.0, 0.0, 1.0, 2.0]).numpy()
    assert spearman(a, a * 3) == pytest.approx(1.0)
    assert spearman(a, -a) == pytest.approx(-1.0)
    assert spearman(a, torch.zeros(4).numpy()) == 0.0


# -- where the learner meets it: the cnn demo's panel and %%train's final picture -------------

def no_hooks(model: nn.Module) -> bool:
    return not any(m._forward_hooks or m._backward_hooks or m._forward_pre_hooks for m in model.modules())


# (the demo, a few steps of it, the contender whose Grad-CAM the panel shows)
PANEL_DEMOS = [("cnn", {"epochs": 1, "batch_size": 128}, "CNN"),  # a dozen steps
               ("transfer", {"epochs": 4}, "frozen conv")]  # a frozen backbone: only the dense layers learn


@pytest.mark.parametrize("name, few_steps, shown", PANEL_DEMOS)
def test_a_conv_demo_shows_grad_cam_that_changes_as_it_trains(name, few_steps, shown):
    from dlmagics.train import runner
    from dlmagics.train.demos import DEMOS
    from dlmagics.train.frames import final_bundle
    from dlmagics.train.pictures import gradcam_panel, panel

    demo = DEMOS[name]
    settings = demo.settings(quick=True, **few_steps)
    untrained = gradcam_panel(demo.build(settings))
    result = runner.run(runner.start(demo, settings, ""))
    trained = panel(result)
    assert trained.title == f"Grad-CAM of the {shown}: where it looks" and trained.pixels.shape == untrained.pixels.shape
    assert not np.array_equal(trained.pixels, untrained.pixels)
    assert "sanity check passed" in trained.caption and "sanity" not in untrained.caption  # checked at the end
    bundle = final_bundle(result)
    assert f"Grad-CAM of the {shown}" in bundle["text/html"] and len(result.plot().axes) == 3
    assert all(no_hooks(c.model) for c in result.plan.contenders)


CNN_SETUP = """
import torch
from torch import nn
from torch.nn import functional as F
torch.manual_seed(0)
X = torch.rand(64, 1, 8, 8)
Y = (X[:, 0, :4].mean((1, 2)) > X[:, 0, 4:].mean((1, 2))).long()  # brighter top half or not
cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(256, 2))
optimizer = torch.optim.SGD(cnn.parameters(), lr=0.1)
"""

CNN_LOOP = """
for epoch in range(2):
    for i in range(0, 64, 16):
        optimizer.zero_grad()
        F.cross_entropy(cnn(X[i:i + 16]), Y[i:i + 16]).backward()
        optimizer.step()
"""


def test_the_final_picture_of_a_cnn_trained_under_train_has_grad_cam_and_an_mlp_has_none(shell):
    from dlmagics.train import own_frames

    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell(CNN_SETUP)
    result = shell.run_cell_magic("train", "--quiet", CNN_LOOP)
    html = own_frames.final_bundle(result)["text/html"]
    assert "Grad-CAM of the last images: where the model looks" in html
    cam = result.gradcam
    assert cam.layer == "0" and cam.maps.shape == (6, 8, 8) and cam.sanity is not None
    model = shell.user_ns["cnn"]
    assert no_hooks(model) and model.training
    assert len(result.plot().axes) == 4  # loss, accuracy, confusion matrix, Grad-CAM

    shell.run_cell("mlp = nn.Sequential(nn.Flatten(), nn.Linear(64, 2))\n"
                   "optimizer = torch.optim.SGD(mlp.parameters(), lr=0.1)")
    result = shell.run_cell_magic("train", "--quiet", CNN_LOOP.replace("cnn(", "mlp("))
    assert result.status == "finished" and "Grad-CAM" not in own_frames.final_bundle(result)["text/html"]
    assert result.gradcam is None and result.notes == []


def test_import_and_load_ext_import_neither_captum_nor_pillow_and_gradcam_comes_on_first_use():
    import subprocess
    import sys

    heavy = "[m for m in sys.modules if m.split('.')[0] in ('torch', 'captum', 'PIL') and m not in before]"
    code = ("import sys\nbefore = set()\nimport dlmagics\nprint(" + heavy + ")\n"
            "from IPython.testing.globalipapp import get_ipython\nip = get_ipython()\n"
            "before = set(sys.modules)  # IPython's test shell brings Pillow itself\n"
            "ip.run_line_magic('load_ext', 'dlmagics')\nprint(" + heavy + ")\n"
            "dlmagics.gradcam\nprint('torch' in sys.modules, 'captum' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split("\n")[:3] == ["[]", "[]", "True False"], out.stdout + out.stderr  # captum: at the first map
