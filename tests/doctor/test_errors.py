"""PyTorch's raw errors said as one Finding (dlmagics/train/doctor/errors.py).

Every error a CPU can make is made for real here, with a tiny model or loss; the CUDA-only
texts are built as PyTorch builds them, from the source files named in errors.py."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from dlmagics.train.doctor import errors
from dlmagics.train.doctor.errors import ErrorFacts, explain


def raised(action) -> BaseException:
    """The error that ``action`` raises, traceback and all."""
    with pytest.raises(BaseException) as caught:
        action()
    return caught.value


def explained(action, facts: ErrorFacts | None = None):
    finding = explain(raised(action), facts)
    assert finding is not None and finding.key.startswith("error_")
    assert finding.line().count("Fix:") == 1  # one line: title, evidence, fix
    return finding


LOGITS = torch.randn(4, 10)


# ---------------------------------------------------------------- labels

@pytest.mark.parametrize("loss", [F.cross_entropy, nn.CrossEntropyLoss(), lambda x, y: F.nll_loss(x, y)])
def test_float_labels_into_cross_entropy(loss):
    error = raised(lambda: loss(LOGITS, torch.tensor([1.0, 2.0, 3.0, 4.0])))
    assert "expected target dtype to be Long or Byte, but got Float" in str(error)
    finding = explain(error)
    assert finding.key == "error_target_dtype"
    assert "float32" in finding.evidence and "int64" in finding.evidence
    assert "labels.long()" in finding.fix
    assert re.search(r"cross_entropy|nll_loss", finding.title)  # named from the call it failed in


def test_int32_labels_into_cross_entropy():
    finding = explained(lambda: F.cross_entropy(LOGITS, torch.tensor([1, 2, 3, 4], dtype=torch.int32)))
    assert finding.key == "error_target_dtype" and "int32" in finding.evidence and "labels.long()" in finding.fix


@pytest.mark.parametrize(("loss", "text"), [
    (nn.BCELoss(), "Found dtype Long but expected Float"),
    (nn.BCEWithLogitsLoss(), "result type Float can't be cast to the desired output type Long"),
])
def test_integer_labels_into_binary_cross_entropy(loss, text):
    error = raised(lambda: loss(torch.rand(4), torch.tensor([1, 0, 1, 0])))
    assert text in str(error)
    finding = explain(error)
    assert finding.key == "error_target_dtype"
    assert "int64" in finding.evidence and "float32" in finding.evidence
    assert "labels.float()" in finding.fix


def test_the_same_cast_error_outside_a_loss_is_an_in_place_operation():
    finding = explained(lambda: torch.zeros(3, dtype=torch.long).add_(torch.rand(3)))
    assert finding.key == "error_dtype_mismatch"
    assert "in-place" in finding.evidence and "int64" in finding.evidence
    assert "x = x + y" in finding.fix


def test_a_label_past_the_last_class():
    error = raised(lambda: F.cross_entropy(LOGITS, torch.tensor([1, 2, 3, 10])))
    assert str(error) == "Target 10 is out of bounds."
    finding = explain(error, ErrorFacts(outputs=10))
    assert finding.key == "error_target_range"
    assert "label 10" in finding.evidence and "10 outputs (classes 0 to 9)" in finding.evidence
    assert "at least 11 outputs" in finding.fix and "labels - 1" in finding.fix
    assert "label 10" in explain(error).evidence  # without the facts too


def test_a_negative_label():
    finding = explained(lambda: F.nll_loss(LOGITS, torch.tensor([1, 2, 3, -5])))
    assert finding.key == "error_target_range" and "label -5" in finding.evidence and "-100" in finding.fix


# c10/cuda/CUDAException.cpp: "CUDA error: " + cudaGetErrorString + get_cuda_error_help +
# get_cuda_async_error_suffix (c10/cuda/CUDAMiscFunctions.cpp) + "\n" + the device-side
# assertion info (c10/cuda/CUDADeviceAssertionHost.cpp)
CUDA_ASSERT = (
    "CUDA error: device-side assert triggered\n"
    "Search for `cudaErrorAssert' in https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html "
    "for more information.\n"
    "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below "
    "might be incorrect.\nFor debugging consider passing CUDA_LAUNCH_BLOCKING=1\n")
NO_DSA = "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\n"
WITH_DSA = ("Looking for device-side assertion failure information...\n"
            "1 CUDA device-side assertion failures were found on GPU #0!\n"
            "Assertion failure 0\n  GPU assertion failure message = t >= 0 && t < n_classes\n"
            "  File containing assertion = aten/src/ATen/native/cuda/Loss.cu:242\n")


def test_a_label_out_of_range_on_the_gpu():
    finding = explain(torch.AcceleratorError(CUDA_ASSERT + WITH_DSA), ErrorFacts(outputs=10))
    assert finding.key == "error_target_range"
    assert "t >= 0 && t < n_classes" in finding.evidence and "0 to 9" in finding.evidence
    assert "restart the kernel" in finding.fix


def test_a_device_side_assert_without_its_reason():
    finding = explain(torch.AcceleratorError(CUDA_ASSERT + NO_DSA), ErrorFacts(loss="cross_entropy"))
    assert finding.key == "error_device_assert"
    assert "label out of range" in finding.evidence
    assert "restart the kernel" in finding.fix and "on the CPU" in finding.fix


def test_one_hot_labels_into_cross_entropy():
    error = raised(lambda: F.cross_entropy(LOGITS, F.one_hot(torch.tensor([1, 2, 3, 4]), 10)))
    assert "Expected floating point type for target with class probabilities, got Long" in str(error)
    finding = explain(error)
    assert finding.key == "error_target_shape" and "int64" in finding.evidence
    assert "labels.argmax(dim=1)" in finding.fix


def test_two_dimensional_labels_into_nll_loss():
    error = raised(lambda: F.nll_loss(LOGITS, torch.zeros(4, 3, dtype=torch.long)))
    assert "0D or 1D target tensor expected, multi-target not supported" in str(error)
    finding = explain(error)
    assert finding.key == "error_target_shape" and "nll_loss" in finding.title
    assert "[N]" in finding.evidence
    assert "labels.argmax(dim=1)" in finding.fix and "labels.squeeze(1)" in finding.fix


@pytest.mark.parametrize(("outputs", "labels", "hint"), [(64, 32, "2x as many rows as the labels"),
                                                         (192, 64, "3x as many rows as the labels"),
                                                         (32, 64, "2x as many rows as the outputs")])
def test_outputs_and_labels_of_two_batch_sizes(outputs, labels, hint):
    error = raised(lambda: F.cross_entropy(torch.randn(outputs, 10), torch.zeros(labels, dtype=torch.long)))
    assert f"Expected input batch_size ({outputs}) to match target batch_size ({labels})" in str(error)
    finding = explain(error)
    assert finding.key == "error_batch_mismatch"
    assert f"outputs for {outputs} examples, labels for {labels}" in finding.evidence
    assert hint in finding.fix and "x.view(x.size(0), -1)" in finding.fix


@pytest.mark.parametrize("loss", [nn.BCEWithLogitsLoss(), nn.BCELoss()])
def test_bce_outputs_n_by_1_against_labels_n(loss):
    finding = explained(lambda: loss(torch.rand(64, 1), torch.zeros(64)))
    assert finding.key == "error_target_shape"
    assert "outputs [64, 1], labels [64]" in finding.evidence
    assert "outputs.squeeze(1)" in finding.fix


def test_mse_on_two_batch_sizes():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # mse_loss warns before it fails
        finding = explained(lambda: F.mse_loss(torch.randn(64), torch.zeros(32)))
    assert finding.key == "error_batch_mismatch" and "outputs for 64 examples, labels for 32" in finding.evidence


def test_the_same_size_error_outside_a_loss_is_left_as_it_is():
    error = raised(lambda: torch.randn(64) + torch.zeros(32))
    assert "must match the size of tensor b (32)" in str(error)
    assert explain(error) is None


def test_mse_broadcasting_is_a_warning_not_an_error():
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(torch.randn(64, 1), torch.zeros(64))


# ---------------------------------------------------------------- layers

def test_a_linear_layer_given_the_wrong_number_of_features():
    error = raised(lambda: nn.Linear(512, 10)(torch.randn(64, 784)))
    assert str(error) == "mat1 and mat2 shapes cannot be multiplied (64x784 and 512x10)"
    finding = explain(error, ErrorFacts(batch_size=64))
    assert finding.key == "error_shapes"
    assert "expects 512 features per example, the batch has 784" in finding.evidence
    assert "in_features=784" in finding.fix and "flatten" in finding.fix


def test_images_not_flattened_before_a_linear_layer():
    error = raised(lambda: nn.Linear(784, 10)(torch.randn(64, 1, 28, 28)))
    assert "(1792x28 and 784x10)" in str(error)
    finding = explain(error, ErrorFacts(batch_size=64))
    assert finding.key == "error_flatten"
    assert "expects 784 features" in finding.evidence and "28 rows of 28 values (784 in all)" in finding.evidence
    assert "nn.Flatten()" in finding.fix and "in_features" not in finding.fix


def test_feature_maps_not_flattened_and_of_another_size():
    model = nn.Sequential(nn.Conv2d(1, 16, 5), nn.Linear(256, 10))  # the conv gives 16 x 24 x 24
    finding = explained(lambda: model(torch.randn(8, 1, 28, 28)), ErrorFacts(batch_size=8))
    assert finding.key == "error_flatten"
    assert "384 rows of 24 values (9216 in all)" in finding.evidence
    assert "nn.Flatten()" in finding.fix and "in_features=9216" in finding.fix


@pytest.mark.parametrize(("layer", "images", "evidence", "fix"), [
    (nn.Conv2d(3, 16, 3), torch.randn(64, 1, 28, 28), "expects 3 channels, the input [64, 1, 28, 28] has 1",
     "in_channels=1"),
    (nn.Conv2d(1, 16, 3), torch.randn(64, 3, 28, 28), "expects 1 channels, the input [64, 3, 28, 28] has 3",
     "in_channels=3"),
    (nn.Conv2d(3, 16, 3), torch.randn(64, 32, 32, 3), "the input [64, 32, 32, 3] has 32",
     "x.permute(0, 3, 1, 2)"),
    (nn.Conv2d(16, 32, 3), torch.randn(64, 8, 28, 28), "expects 16 channels", "in_channels=8"),
])
def test_a_convolution_given_the_wrong_channels(layer, images, evidence, fix):
    error = raised(lambda: layer(images))
    assert "channels, but got" in str(error)
    finding = explain(error)
    assert finding.key == "error_channels" and evidence in finding.evidence and fix in finding.fix


def test_flat_rows_into_a_convolution():
    error = raised(lambda: nn.Conv2d(1, 16, 3)(torch.randn(64, 784)))
    assert "Expected 3D (unbatched) or 4D (batched) input to conv2d" in str(error)
    finding = explain(error)
    assert finding.key == "error_shapes" and "[64, 784]" in finding.evidence
    assert "x.view(-1, 1, 28, 28)" in finding.fix


# ---------------------------------------------------------------- devices

def test_two_devices_made_on_the_cpu_with_a_meta_tensor():
    error = raised(lambda: nn.Linear(3, 2).to("meta")(torch.randn(4, 3)))
    assert "is not on the expected device" in str(error)
    finding = explain(error)
    assert finding.key == "error_devices" and "meta" in finding.evidence and "the CPU" in finding.evidence
    assert "model.to(device)" in finding.fix


# Texts of CUDA runs, as PyTorch writes them (the source files are named in errors.py's RULES).
DEVICE_TEXTS = [
    # aten/src/ATen/core/adaption.cpp (now)
    ("Expected all tensors to be on the same device, but got mat1 is on cpu, different from other tensors on "
     "cuda:0 (when checking argument in method wrapper_CUDA_addmm)",
     "the batch (mat1) is on the CPU, the other tensors on the GPU (cuda:0) (in addmm)", "x.to('cuda:0')"),
    ("Expected all tensors to be on the same device, but got mat1 is on cuda:0, different from other tensors on "
     "cpu (when checking argument in method wrapper_CUDA_addmm)",
     "the batch (mat1) is on the GPU (cuda:0)", "model.to('cuda:0')"),
    # aten/src/ATen/core/adaption.cpp before PyTorch 2.6 (and its older misspelling)
    ("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! "
     "(when checking argument for argument mat1 in method wrapper_CUDA_addmm)",
     "the batch (mat1) is on the CPU", "x.to('cuda:0')"),
    ("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu! "
     "(when checking arugment for argument target in method wrapper_nll_loss_forward)",
     "the labels (target) are on the CPU", "y = y.to('cuda:0')"),
    # aten/src/ATen/TensorIterator.cpp
    ("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
     "one tensor is on the CPU, the other tensors on the GPU (cuda:0)", "model.to(device)"),
    # aten/src/ATen/native/Convolution.cpp
    ("Input type (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should be the same",
     "the batch (input) is on the GPU (cuda), the other tensors on the CPU", "model.to('cuda')"),
    ("Input type (torch.FloatTensor) and weight type (torch.cuda.FloatTensor) should be the same or input "
     "should be a MKLDNN tensor and weight is a dense tensor", "the batch (input) is on the CPU", "x.to('cuda')"),
]


@pytest.mark.parametrize(("text", "evidence", "fix"), DEVICE_TEXTS)
def test_tensors_on_two_devices(text, evidence, fix):
    finding = explain(RuntimeError(text))
    assert finding.key == "error_devices" and evidence in finding.evidence and fix in finding.fix


# ---------------------------------------------------------------- dtypes

FLOAT64 = torch.from_numpy(np.random.default_rng(0).random((4, 10)))  # NumPy's default dtype


@pytest.mark.parametrize(("action", "text", "evidence", "fix"), [
    (lambda: nn.Linear(10, 2)(FLOAT64), "mat1 and mat2 must have the same dtype, but got Double and Float",
     "the data is float64, the model float32", "x = x.float()"),
    (lambda: nn.Linear(10, 2, bias=False)(FLOAT64), "expected m1 and m2 to have the same dtype",
     "the data is float64, the model float32", "x = x.float()"),
    (lambda: nn.Conv1d(1, 2, 3)(FLOAT64[:, None]), "Input type (double) and bias type (float) should be the same",
     "the data is float64, the model float32", "x = x.float()"),
    (lambda: nn.Conv1d(1, 2, 3, bias=False)(FLOAT64[:, None]), "expected scalar type Double but found Float",
     "float64", "x = x.float()"),
    (lambda: nn.Linear(10, 2)(torch.zeros(4, 10, dtype=torch.uint8)), "but got Byte and Float",
     "the data is uint8", "x = x.float() / 255"),
    (lambda: nn.Conv2d(1, 2, 3)(torch.randn(4, 1, 8, 8).half()), "should be the same", "the data is float16",
     "torch.autocast"),
    (lambda: nn.Linear(10, 2).double()(torch.randn(4, 10)), "but got Float and Double",
     "the data is float32, the model float64", "model.float()"),
])
def test_data_and_model_of_two_dtypes(action, text, evidence, fix):
    error = raised(action)
    assert text in str(error)
    finding = explain(error)
    assert finding.key == "error_dtype_mismatch" and evidence in finding.evidence and fix in finding.fix


# ---------------------------------------------------------------- memory

# c10/cuda/CUDACachingAllocator.cpp since PyTorch 2.1, and before
CUDA_OOM = ("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which "
            "1.02 GiB is free. Including non-PyTorch memory, this process has 78.16 GiB memory in use. Of the "
            "allocated memory 77.50 GiB is allocated by PyTorch, and 120.00 MiB is reserved by PyTorch but "
            "unallocated. If reserved but unallocated memory is large try setting "
            "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for "
            "Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)")
CUDA_OOM_OLD = ("CUDA out of memory. Tried to allocate 256.00 MiB (GPU 0; 7.93 GiB total capacity; 6.80 GiB "
                "already allocated; 200.00 MiB free; 7.20 GiB reserved in total by PyTorch) If reserved memory is "
                ">> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for "
                "Memory Management and PYTORCH_CUDA_ALLOC_CONF")


def test_cuda_out_of_memory_names_a_batch_that_fits():
    finding = explain(torch.OutOfMemoryError(CUDA_OOM), ErrorFacts(batch_size=64))
    assert finding.key == "error_out_of_memory" and finding.title == "the GPU ran out of memory"
    assert finding.evidence == "it tried to allocate 2 GiB; 1.02 GiB free of 79.2 GiB; batch size 64"
    # 64 examples x 0.8 of 1.02 GiB / 2 GiB = 26.1: the power of two below is 16
    assert finding.fix == "decrease the batch size: about 16 would fit in the memory left"


def test_cuda_out_of_memory_in_the_older_wording():
    finding = explain(torch.OutOfMemoryError(CUDA_OOM_OLD), ErrorFacts(batch_size=256))
    assert finding.evidence == "it tried to allocate 256 MiB; 200 MiB free of 7.93 GiB; batch size 256"
    assert "about 128 would fit" in finding.fix  # 256 x 0.8 x 200 / 256 = 160


def test_out_of_memory_without_facts_says_to_halve():
    finding = explain(torch.OutOfMemoryError(CUDA_OOM))
    assert finding.fix == "halve the batch size until it fits"
    assert "1.02 GiB free of 79.2 GiB" in finding.evidence


def test_out_of_memory_when_not_even_one_example_fits():
    finding = explain(torch.OutOfMemoryError(CUDA_OOM.replace("1.02 GiB is free", "20.00 MiB is free")),
                      ErrorFacts(batch_size=64))
    assert "even one example would not fit" in finding.fix and "restart the kernel" in finding.fix


def test_out_of_memory_with_the_free_memory_from_the_facts():
    facts = ErrorFacts(batch_size=512, free_bytes=3 * 2**30, total_bytes=16 * 2**30)
    finding = explain(RuntimeError("CUDA out of memory. Tried to allocate 4.00 GiB"), facts)
    assert finding.evidence == "it tried to allocate 4 GiB; 3 GiB free of 16 GiB; batch size 512"
    assert "about 256 would fit" in finding.fix  # 512 x 0.8 x 3 / 4 = 307


def test_mps_out_of_memory():
    # aten/src/ATen/mps/MPSAllocator.mm
    text = ("MPS backend out of memory (MPS allocated: 8.00 GB, other allocations: 512.00 MB, max allowed: "
            "9.07 GB). Tried to allocate 256.00 MB on private pool. Use PYTORCH_MPS_HIGH_WATERMARK_RATIO=0.0 to "
            "disable upper limit for memory allocations (may cause system failure).")
    finding = explain(RuntimeError(text), ErrorFacts(batch_size=128))
    assert finding.key == "error_out_of_memory" and "MPS" in finding.title
    assert "it tried to allocate 256 MiB; 584 MiB free of 9.07 GiB" in finding.evidence
    assert "about 128" not in finding.fix and "decrease the batch size" not in finding.fix  # 128 x 0.8 x 584/256 > 128


def test_cpu_out_of_memory_made_for_real():
    error = raised(lambda: torch.empty(2**62, dtype=torch.uint8))
    assert "DefaultCPUAllocator: can't allocate memory: you tried to allocate 4611686018427387904 bytes" in str(error)
    finding = explain(error)
    assert finding.key == "error_out_of_memory"
    assert finding.title == "one tensor needs more memory than the computer has"
    assert "it tried to allocate 4,194,304 TiB" in finding.evidence
    assert "far too large" in finding.fix


def test_out_of_memory_in_a_wording_we_do_not_know():
    finding = explain(torch.OutOfMemoryError("out of room"))
    assert finding.key == "error_out_of_memory" and finding.fix == "halve the batch size until it fits"


@given(batch=st.integers(2, 4096), tried_mib=st.integers(1, 100_000), free_mib=st.integers(0, 100_000))
def test_a_suggested_batch_is_a_power_of_two_between_1_and_the_batch(batch, tried_mib, free_mib):
    text = f"CUDA out of memory. Tried to allocate {tried_mib}.00 MiB. GPU 0 has a total capacity of " \
           f"200.00 GiB of which {free_mib}.00 MiB is free."
    fix = explain(torch.OutOfMemoryError(text), ErrorFacts(batch_size=batch)).fix
    if match := re.search(r"about (\d+) would fit", fix):
        suggested = int(match[1])
        assert 1 <= suggested < batch and suggested & (suggested - 1) == 0
        assert suggested * tried_mib <= batch * 0.8 * free_mib  # fits in the headroom
        assert 2 * suggested * tried_mib > batch * 0.8 * free_mib or 2 * suggested >= batch  # the largest
    else:
        assert fix in ("halve the batch size until it fits",) or fix.startswith("even one example")


# ---------------------------------------------------------------- what is not ours

def test_errors_of_the_learners_own_are_left_as_they_are():
    assert explain(raised(lambda: undefined_name)) is None  # noqa: F821
    assert explain(ValueError("learning rate must be positive")) is None
    assert explain(RuntimeError("my loop broke")) is None
    assert explain(KeyboardInterrupt()) is None
    assert explain(SystemExit(1)) is None


def test_every_key_is_listed_at_the_top_of_the_module():
    keys = set(re.findall(r'_finding\("(\w+)"', open(errors.__file__).read()))
    assert len(keys) == 11
    assert all(f"``error_{key}``" in errors.__doc__ for key in keys)


class Unprintable(Exception):
    def __str__(self):
        raise ValueError("no words")


class OutOfMemoryError(RuntimeError):
    """Named like torch's, as a library of the learner's may name one."""


TEMPLATES = [
    "Target {} is out of bounds.", "mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
    "Expected input batch_size ({}) to match target batch_size ({}).",
    "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
    "Given groups=1, weight of size [{}, {}], expected input[{}, {}, {}] to have {} channels, but got {} channels "
    "instead", "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [{}, {}]",
    "Target size (torch.Size([{}])) must be the same as input size (torch.Size([{}, {}]))",
    "CUDA out of memory. Tried to allocate {}.{} GiB. GPU 0 has a total capacity of {} MiB of which {} bytes is free",
    "DefaultCPUAllocator: can't allocate memory: you tried to allocate {} bytes",
    "MPS backend out of memory (MPS allocated: {} GB, other allocations: {} MB, max allowed: {} GB). Tried to "
    "allocate {} KB", "Expected all tensors to be on the same device, but got {} is on {}, different from other "
    "tensors on {}", "Input type ({}) and weight type ({}) should be the same",
]
NUMBERS = st.one_of(st.integers(-10, 10**40).map(str), st.text(max_size=8))


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from([RuntimeError, ValueError, IndexError, TypeError, NotImplementedError, KeyError,
                             torch.OutOfMemoryError, OutOfMemoryError, Unprintable, KeyboardInterrupt]),
       message=st.one_of(st.text(), st.builds(lambda t, n: t.format(*n), st.sampled_from(TEMPLATES),
                                              st.lists(NUMBERS, min_size=9, max_size=9))),
       facts=st.builds(ErrorFacts, batch_size=st.none() | st.integers(-5, 10**12),
                       free_bytes=st.none() | st.integers(0, 2**50), total_bytes=st.none() | st.integers(0, 2**50),
                       outputs=st.none() | st.integers(-5, 10**6), loss=st.none() | st.text(max_size=30)))
def test_explain_never_raises(kind, message, facts):
    finding = explain(kind(message), facts)
    assert finding is None or finding.key.startswith("error_") and finding.line()


def test_a_long_error_is_kept_to_whole_sentences():
    from dlmagics.train.own import OwnResult, run_cell

    message = "CUDA out of memory. " + "Tried to allocate a great deal of memory on a device. " * 12
    run = run_cell(OwnResult("%%train"), f"raise RuntimeError({message!r})", {})
    assert run.status == "failed" and run.error.startswith("RuntimeError: CUDA out of memory.")
    assert len(run.error) <= 500 and run.error.endswith("device.")
