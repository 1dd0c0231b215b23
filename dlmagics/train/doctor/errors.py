"""PyTorch's raw errors in a learner's training cell, said as one Finding with its fix.

``explain(error, facts)`` reads the message of an error that PyTorch raised in the learner's
loop and returns a Finding (key ``error_...``): what is wrong in words, the numbers read from
the message (shapes, dtypes, devices, sizes) and what to change in the loop. It covers:

- labels of the wrong type for the loss: floats into cross_entropy / nll_loss, integers into
  binary_cross_entropy(_with_logits) (``error_target_dtype``);
- a label that is not one of the model's classes (``error_target_range``), and the GPU's
  device-side assert that usually hides one (``error_device_assert``);
- labels of the wrong shape: one-hot rows into cross_entropy, [N] against [N, 1]
  (``error_target_shape``); outputs and labels of two batch sizes (``error_batch_mismatch``);
- a Linear layer given the wrong number of features (``error_shapes``) or an input that was
  not flattened before it (``error_flatten``); a convolution given flat rows (``error_shapes``)
  or the wrong number of channels (``error_channels``);
- tensors on two devices (``error_devices``); data and model of two dtypes, such as NumPy's
  float64 (``error_dtype_mismatch``);
- out of memory on a GPU, the CPU or Apple's MPS, with a batch size that would fit when the
  caller's facts allow an estimate (``error_out_of_memory``).

Each rule is one entry of RULES: a regex on the message and a function that makes the Finding
from the regex's named groups. An error that no rule recognises gives None, and the caller
shows the original error as it is: PyTorch's own words beat a guess. Warnings (MSELoss
broadcasting [N, 1] outputs against [N] labels) are not errors and never come here.

Messages that cannot be made on a CPU were taken from PyTorch's source; each such regex names
the file it comes from.
"""

from __future__ import annotations

import math
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import PurePath

from .findings import Finding

# The share of the free memory a suggested batch may fill with the allocation that failed:
# the backward pass, the optimizer and fragmentation need room too.
HEADROOM = Fraction(4, 5)

_N = r"\d{1,30}"  # a number in a message; longer ones are no size PyTorch writes


@dataclass(frozen=True)
class ErrorFacts:
    """What the caller knew when the cell failed; any field may be unknown (None).

    ``batch_size``: the first dimension of the model's last input; ``free_bytes`` and
    ``total_bytes``: the memory of the device the model runs on (torch.cuda.mem_get_info on
    CUDA); ``outputs``: the model's number of outputs (classes); ``loss``: the loss function's
    name ("cross_entropy", "CrossEntropyLoss", "binary_cross_entropy_with_logits", ...).
    """

    batch_size: int | None = None
    free_bytes: int | None = None
    total_bytes: int | None = None
    outputs: int | None = None
    loss: str | None = None


@dataclass(frozen=True)
class _Failure:
    """One error as the rules read it: the message, the loss (named by the caller, or the
    torch.nn.functional call it was raised in) and the caller's facts."""

    message: str
    loss: str | None
    facts: ErrorFacts


Groups = dict[str, str | None]


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern
    make: Callable[[Groups, _Failure], Finding | None]


def explain(error: BaseException, facts: ErrorFacts | None = None) -> Finding | None:
    """The Finding for a raw PyTorch error, or None when no rule knows it (show it as is)."""
    if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: no mistake in the loop
        return None
    try:
        message = str(error)
    except Exception:  # an exception whose str() fails has nothing to read
        return None
    facts = facts or ErrorFacts()
    failure = _Failure(message, facts.loss or _functional_call(error), facts)
    for rule in RULES:
        match = rule.pattern.search(message)
        if match and (finding := rule.make(match.groupdict(), failure)):
            return finding
    if any(kind.__name__ == "OutOfMemoryError" for kind in type(error).__mro__):
        return _out_of_memory({}, failure)  # torch.OutOfMemoryError in a wording we do not know
    return None


def _functional_call(error: BaseException) -> str | None:
    """The innermost torch.nn.functional function the error passed through ("cross_entropy")."""
    name = None
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if PurePath(frame.f_code.co_filename).parts[-3:] == ("torch", "nn", "functional.py"):
            name = frame.f_code.co_name
    return name


# ---------------------------------------------------------------- words the rules share

_DTYPES = {  # PyTorch's names of a dtype in its messages -> the torch name a learner types
    "float": "float32", "double": "float64", "half": "float16", "bfloat16": "bfloat16",
    "long": "int64", "long int": "int64", "int": "int32", "short": "int16", "char": "int8",
    "byte": "uint8", "unsigned char": "uint8", "bool": "bool",
}


def _dtype(name: str) -> str:
    """'Double', 'double', 'torch.cuda.DoubleTensor', 'CPUDoubleType', 'c10::Half' -> 'float64'."""
    core = re.sub(r"^(?:torch\.|cuda\.|Mkldnn|CUDA|CPU|MPS|c10::)+|(?:Tensor|Type)$", "", name.strip())
    return _DTYPES.get(core.lower(), name.strip())


def _device_of_type(name: str) -> str:
    """'torch.cuda.FloatTensor' or 'CUDAFloatType' -> 'cuda'; 'torch.FloatTensor' -> 'cpu'."""
    lowered = name.lower()
    return next((device for device in ("cuda", "mps", "xpu") if device in lowered), "cpu")


def _place(device: str) -> str:
    return "the CPU" if device == "cpu" else f"the GPU ({device})" if device.startswith("cuda") else device


def _loss_kind(loss: str | None) -> str | None:
    """'index' for losses that take class indices, 'float' for those that take float targets."""
    name = (loss or "").lower().replace("_", "")
    if any(word in name for word in ("binary", "bce", "mse", "l1", "huber", "kldiv")):
        return "float"
    if "crossentropy" in name or "nll" in name:
        return "index"
    return None


def _finding(key: str, title: str, evidence: str, fix: str) -> Finding:
    return Finding(key=f"error_{key}", title=title, evidence=evidence, fix=fix)


def _dims(text: str | None) -> list[int]:
    return [int(n) for n in re.findall(_N, text or "")]


def _shape(dims: list[int]) -> str:
    return "[" + ", ".join(map(str, dims)) + "]"


def _size(count: int) -> str:
    """Bytes as a learner reads them: '2 GiB', '1.02 GiB', '512 MiB', '4,194,304 TiB'."""
    for scale, unit in ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if count >= scale:
            value = count / scale
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
    return f"{count} bytes"


# ---------------------------------------------------------------- labels

def _labels_not_indices(got: str, failure: _Failure) -> Finding:
    got, loss = _dtype(got), failure.loss or "cross_entropy"
    kind = "floats" if got.startswith("float") else got
    return _finding("target_dtype", f"the labels are {kind}, {loss} needs class numbers",
                    f"labels of type {got}; {loss} takes int64 class indices",
                    "convert them in the loop: labels.long()")


def _labels_not_floats(got: str, expected: str, failure: _Failure) -> Finding:
    got, expected, loss = _dtype(got), _dtype(expected), failure.loss or "the loss"
    return _finding("target_dtype", f"the labels are {got}, {loss} needs {expected}",
                    f"labels of type {got}, outputs of type {expected}",
                    "convert them in the loop: labels.float(), shaped like the outputs")


def _cast_result(g: Groups, failure: _Failure) -> Finding:
    """An in-place operation storing a float result into an integer tensor; in BCE: the labels."""
    if _loss_kind(failure.loss) == "float":
        return _labels_not_floats(g["into"], g["result"], failure)
    result, into = _dtype(g["result"]), _dtype(g["into"])
    return _finding("dtype_mismatch", f"{result} results cannot be stored in a tensor of {into}",
                    f"an in-place operation (+=, *=, add_) makes {result} values for a tensor of {into}",
                    "start that tensor as floats (torch.zeros(...) or 0.0), or write x = x + y for x += y")


def _scalar_type(g: Groups, failure: _Failure) -> Finding:
    """'expected scalar type Long but found Float': an index loss's labels in older PyTorch,
    else two tensors of different dtypes in one operation."""
    if g["expected"] == "Long" and _loss_kind(failure.loss) == "index":
        return _labels_not_indices(g["found"], failure)
    return _dtype_pair(g["expected"], g["found"])


def _object_scalar_type(g: Groups, failure: _Failure) -> Finding:
    """PyTorch 1.x: "Expected object of scalar type Long but got scalar type Float for argument #2 'target'"."""
    if g["argument"] != "target":
        return _dtype_pair(g["got"], g["expected"], data_first=g["argument"] in ("mat1", "input", "self"))
    if g["expected"] == "Long":
        return _labels_not_indices(g["got"], failure)
    return _labels_not_floats(g["got"], g["expected"], failure)


def _target_range(g: Groups, failure: _Failure) -> Finding:
    label, outputs = int(g["label"]), failure.facts.outputs
    if label < 0:
        return _finding("target_range", "a label is negative", f"label {label}; class numbers start at 0",
                        "number the classes 0, 1, 2, ... (a label to skip may be -100, cross_entropy's ignore_index)")
    classes = f"the model has {outputs} outputs (classes 0 to {outputs - 1})" if outputs and outputs > 0 \
        else "it is not below the model's number of outputs"
    return _finding("target_range", "a label is not one of the model's classes", f"label {label}; {classes}",
                    f"give the last layer at least {label + 1} outputs, or number the labels from 0 "
                    "(labels - 1 if they start at 1)")


_RESTART = "restart the kernel (the GPU cannot be used after this error)"


def _target_range_on_gpu(g: Groups, failure: _Failure) -> Finding:
    outputs = failure.facts.outputs
    classes = f"labels must be 0 to {outputs - 1} for {outputs} outputs" if outputs and outputs > 0 \
        else "labels must be below the model's number of outputs"
    return _finding("target_range", "a label is not one of the model's classes (seen on the GPU)",
                    f"the GPU's check `t >= 0 && t < n_classes` failed; {classes}",
                    f"{_RESTART}, then compare labels.min() and labels.max() with the last layer's outputs")


def _device_assert(g: Groups, failure: _Failure) -> Finding:
    likely = "a label out of range for the loss" if _loss_kind(failure.loss) == "index" \
        else "an index out of range (a label, or a token past an embedding's size)"
    return _finding("device_assert", "a check inside a GPU kernel failed",
                    f"CUDA reported a device-side assert; most often {likely}",
                    f"{_RESTART}, then run one batch on the CPU to see PyTorch's exact error")


def _target_multi(g: Groups, failure: _Failure) -> Finding:
    loss = failure.loss or "cross_entropy"
    return _finding("target_shape", f"the labels have several numbers per example, {loss} takes one",
                    f"{loss} takes one class index per example (shape [N]); these labels have more dimensions",
                    "for one-hot rows pass labels.argmax(dim=1); for shape [N, 1] pass labels.squeeze(1)")


def _target_probabilities(g: Groups, failure: _Failure) -> Finding:
    got, loss = _dtype(g["got"]), failure.loss or "cross_entropy"
    return _finding("target_shape", f"the labels look like one-hot rows, {loss} wants class numbers",
                    f"labels shaped like the outputs, of type {got}: {loss} reads such labels as "
                    "probabilities, which must be floats",
                    "pass class indices instead: labels.argmax(dim=1)")


def _batch_mismatch(outputs: int, labels: int) -> Finding:
    if labels and outputs > labels and outputs % labels == 0:
        fix = (f"the outputs have {outputs // labels}x as many rows as the labels: a view(-1, ...) spread "
               "each example over several rows; flatten with x.view(x.size(0), -1)")
    elif outputs and labels > outputs and labels % outputs == 0:
        fix = (f"the labels have {labels // outputs}x as many rows as the outputs: a view(-1, ...) packed "
               "several examples into one row; flatten with x.view(x.size(0), -1)")
    else:
        fix = "compute the loss on the outputs and the labels of the same batch"
    return _finding("batch_mismatch", "the outputs and the labels have different batch sizes",
                    f"outputs for {outputs} examples, labels for {labels}", fix)


_SAME_SHAPE = "give the labels the outputs' shape: one target per output"


def _shapes_differ(failure: _Failure, evidence: str, fix: str = _SAME_SHAPE) -> Finding:
    loss = failure.loss or "the loss"
    return _finding("target_shape", f"the labels and the outputs have different shapes for {loss}", evidence, fix)


def _target_size(g: Groups, failure: _Failure) -> Finding:
    """BCE wants labels of the outputs' shape; [N] against [N, 1] is the classic."""
    target, given = _dims(g["target"]), _dims(g["input"])
    if target[:1] != given[:1]:
        return _batch_mismatch((given or [0])[0], (target or [0])[0])
    if given == target + [1]:
        fix = "drop the outputs' extra dimension: loss_fn(outputs.squeeze(1), labels)"
    elif target == given + [1]:
        fix = "drop the labels' extra dimension: labels.squeeze(1)"
    else:
        fix = _SAME_SHAPE
    return _shapes_differ(failure, f"outputs {_shape(given)}, labels {_shape(target)}", fix)


def _broadcast_in_loss(g: Groups, failure: _Failure) -> Finding | None:
    """'The size of tensor a (64) must match ...' comes from any elementwise operation: only in
    a loss comparing outputs with float labels (mse_loss, l1_loss, ...) is it about the labels."""
    if _loss_kind(failure.loss) != "float":
        return None
    a, b, dim = int(g["a"]), int(g["b"]), int(g["dim"])
    if dim == 0:
        return _batch_mismatch(a, b)
    return _shapes_differ(failure, f"dimension {dim} is {a} in one and {b} in the other")


# ---------------------------------------------------------------- layers

def _linear(g: Groups, failure: _Failure) -> Finding:
    rows, features, wanted, out = (int(g[name]) for name in ("rows", "features", "wanted", "out"))
    batch = failure.facts.batch_size
    per_example = rows // batch if batch and batch > 0 and rows % batch == 0 else 1
    layer = f"the layer Linear({wanted}, {out}) expects {wanted} features per example"
    if per_example > 1:  # the layer saw every row of every example: its extra dimensions were kept
        flat = features * per_example
        fix = "add nn.Flatten() before the layer (or x = x.view(x.size(0), -1))"
        fix += "" if flat == wanted else f", then set in_features={flat}"
        return _finding("flatten", "the input was not flattened before a Linear layer",
                        f"{layer}; each of the {batch} examples came as {per_example} rows of {features} values "
                        f"({flat} in all)", fix)
    return _finding("shapes", "a Linear layer got the wrong number of features",
                    f"{layer}, the batch has {features} ({rows}x{features})",
                    f"set in_features={features} on this layer, or make the layer before it give {wanted} "
                    "(flatten images first)")


_CONV_SHAPE = {3: "[N, channels, length]", 4: "[N, channels, height, width]", 5: "[N, channels, depth, height, width]"}


def _conv_rank(g: Groups, failure: _Failure) -> Finding:
    size, op, batched = _dims(g["size"]), g["op"], int(g["batched"])
    fix = f"give it {_CONV_SHAPE.get(batched, f'{batched}D input')}"
    if len(size) == 2 and batched == 4:  # flat rows of images: find the square images they were
        for channels in (1, 3):
            side = math.isqrt(size[1] // channels)
            if side > 1 and channels * side * side == size[1]:
                fix = f"reshape the rows to images: x.view(-1, {channels}, {side}, {side})"
                break
    return _finding("shapes", f"{op} got a tensor of the wrong rank",
                    f"{op} takes {batched}D input (a batch) or {batched - 1}D, the input is {_shape(size)}", fix)


def _channels(g: Groups, failure: _Failure) -> Finding:
    weight, given, wanted, got = _dims(g["weight"]), _dims(g["input"]), int(g["wanted"]), int(g["got"])
    if len(given) == 4 and given[-1] == wanted:
        fix = "the images are channels-last [N, H, W, C]: use x.permute(0, 3, 1, 2)"
    elif (got, wanted) == (1, 3):
        fix = "grayscale images into a layer made for colour: set in_channels=1 (or x.repeat(1, 3, 1, 1))"
    elif (got, wanted) == (3, 1):
        fix = "colour images into a layer made for grayscale: set in_channels=3"
    else:
        fix = f"set in_channels={got} on this layer, or make the layer before it give {wanted} channels"
    return _finding("channels", "a convolution got the wrong number of channels",
                    f"the layer (weight {_shape(weight)}) expects {wanted} channels, the input {_shape(given)} "
                    f"has {got}", fix)


# ---------------------------------------------------------------- devices and dtypes

_ROLES = {"mat1": "batch", "input": "batch", "indices": "batch", "target": "labels",
          "weight": "model", "bias": "model", "mat2": "model"}


def _devices(g: Groups, failure: _Failure) -> Finding:
    """``apart``: the device of the one tensor (the ``argument``, when named); ``common``: the others'."""
    apart, common, argument = g["apart"], g["common"], g.get("argument")
    role = _ROLES.get(argument or "")
    named = f"the {role} ({argument}) {'are' if role == 'labels' else 'is'}" if role else \
        f"{argument or 'one tensor'} is"
    method = re.sub(r"^wrapper_(?:[A-Z]+_)?_?", "", g.get("method") or "")
    evidence = f"{named} on {_place(apart)}, the other tensors on {_place(common)}" + \
        (f" (in {method})" if method else "")
    gpu = common if apart == "cpu" else apart
    if not role or "cpu" not in (apart, common):
        fix = "put the model and every batch on one device: model.to(device) once, and " \
              "x, y = x.to(device), y.to(device) in the loop"
    elif role == "labels" and apart == "cpu":
        fix = f"move the labels too: y = y.to('{gpu}')"
    elif (role == "model") == (apart == "cpu"):  # the model's tensors are the ones on the CPU
        fix = f"move the model: model.to('{gpu}') once, before making the optimizer"
    else:
        fix = f"move each batch in the loop: x, y = x.to('{gpu}'), y.to('{gpu}')"
    return _finding("devices", "the model and the data are on different devices", evidence, fix)


def _type_pair(g: Groups, failure: _Failure) -> Finding:
    """Convolution: "Input type (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should
    be the same": a device mismatch or a dtype mismatch, told apart by the type names."""
    given, param = g["input"], g["param"]
    if _device_of_type(given) != _device_of_type(param):
        return _devices({"apart": _device_of_type(given), "common": _device_of_type(param), "argument": "input"},
                        failure)
    return _dtype_pair(given, param, data_first=True)


def _dtype_pair(first: str, second: str, data_first: bool = False) -> Finding:
    """Two dtypes met; ``data_first`` when the message names the batch's first (mat1, input)."""
    first, second = _dtype(first), _dtype(second)
    odd = first if second == "float32" else second if first == "float32" else None
    if data_first and odd == second:
        fix = "the model is not float32: convert it back with model.float()"
    elif odd == "float64":
        fix = "convert the data to float32: x = x.float() (NumPy arrays are float64 unless told otherwise)"
    elif odd == "uint8":
        fix = "convert and scale the images: x = x.float() / 255"
    elif odd in ("int64", "int32", "int16", "int8", "bool"):
        fix = "convert the data to floats: x = x.float()"
    elif odd in ("float16", "bfloat16"):
        fix = "convert the data with x.float(), or run the step under torch.autocast"
    else:
        fix = "use one dtype for the model and the data: model.float() and x.float()"
    evidence = f"the data is {first}, the model {second}" if data_first else f"one tensor is {first}, another {second}"
    return _finding("dtype_mismatch", "the data and the model have different number types", evidence, fix)


# ---------------------------------------------------------------- memory

_UNITS = {"bytes": 1, "B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
          # MPS writes "GB" for 2**30 bytes (aten/src/ATen/mps/MPSAllocator.h, format_size)
          "KB": 2**10, "MB": 2**20, "GB": 2**30, "TB": 2**40}
_SIZE = rf"{_N}(?:\.{_N})? ?(?:bytes|[KMGT]i?B|B)"


def _bytes(text: str | None) -> int | None:
    if not text:
        return None
    number, unit = re.fullmatch(r"([\d.]+) ?(\w+)", text).groups()
    return int(Fraction(number) * _UNITS[unit])


# c10/cuda/CUDACachingAllocator.cpp, DeviceCachingAllocator::malloc. Since PyTorch 2.1: "CUDA out
# of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.19 GiB of which 1.02 GiB
# is free. ..."; before: "CUDA out of memory. Tried to allocate 36.00 MiB (GPU 0; 7.93 GiB total
# capacity; 130.35 MiB already allocated; 47.06 MiB free; 188.00 MiB reserved in total by PyTorch)"
_TOTAL_FREE = re.compile(rf"has a total capacity of (?P<total>{_SIZE}) of which (?P<free>{_SIZE}) is free"
                         rf"|(?P<total_old>{_SIZE}) total capacity;.*?(?P<free_old>{_SIZE}) free;")
# aten/src/ATen/mps/MPSAllocator.mm: "MPS backend out of memory (MPS allocated: 8.00 GB, other
# allocations: 1.20 GB, max allowed: 9.07 GB). Tried to allocate 512.00 MB on private pool. ..."
_MPS_USED = re.compile(rf"MPS allocated: (?P<used>{_SIZE}), other allocations: (?P<other>{_SIZE}), "
                       rf"max allowed: (?P<allowed>{_SIZE})")


def _total_free(message: str) -> tuple[int | None, int | None]:
    if said := _TOTAL_FREE.search(message):
        return _bytes(said["total"] or said["total_old"]), _bytes(said["free"] or said["free_old"])
    if said := _MPS_USED.search(message):
        allowed = _bytes(said["allowed"])
        return allowed, max(0, allowed - _bytes(said["used"]) - _bytes(said["other"]))
    return None, None


def _out_of_memory(g: Groups, failure: _Failure) -> Finding:
    facts = failure.facts
    if g.get("cpu"):  # the RAM, read here: the facts' memory is the model's device, maybe a GPU
        import psutil

        tried, device, ram = int(g["cpu"]), "the computer", psutil.virtual_memory()
        total, free = ram.total, ram.available
    else:
        tried = _bytes(g.get("tried"))
        device = "Apple's GPU (MPS)" if "MPS backend" in failure.message else "the GPU"
        total, free = _total_free(failure.message)  # the memory as it failed, when the message says
        total = total or facts.total_bytes
        free = facts.free_bytes if free is None else free
    parts = [f"it tried to allocate {_size(tried)}"] if tried else []
    if free is not None:
        parts.append(f"{_size(free)} free" + (f" of {_size(total)}" if total else ""))
    if facts.batch_size:
        parts.append(f"batch size {facts.batch_size:,}")
    evidence = "; ".join(parts) or "the memory allocator found no room"
    if tried and total and tried > total:
        shapes = ("check the shapes of the tensors made in this step (a wrong view or broadcast can multiply "
                  "sizes)")
        smaller = _smaller_batch(tried, free, facts)
        fix = (f"{smaller}; if the batch is meant to be this big, {shapes}" if smaller.startswith("decrease")
               else f"a size in the code is far too large: {shapes}")
        return _finding("out_of_memory", f"one tensor needs more memory than {device} has", evidence, fix)
    return _finding("out_of_memory", f"{device} ran out of memory", evidence, _smaller_batch(tried, free, facts))


def _smaller_batch(tried: int | None, free: int | None, facts: ErrorFacts) -> str:
    """A batch size that would fit, estimated. Memory for activations grows about linearly with
    the batch, so at batch b the failed allocation takes about tried * b / batch: the largest
    power of two whose share fits in HEADROOM of the free memory. The step's earlier tensors
    shrink too, so the estimate errs on the small side; it is said as 'about'."""
    batch = facts.batch_size
    if not (tried and free is not None and batch and batch > 1):
        return "halve the batch size until it fits"
    fits = int(batch * free * HEADROOM / tried)
    if fits < 1:
        return ("even one example would not fit in the memory left: free what earlier cells hold "
                "(restart the kernel) or make the model smaller")
    suggested = 1 << (fits.bit_length() - 1)
    if suggested >= batch:  # the free memory was measured after the step let go of its tensors
        return "halve the batch size until it fits"
    return f"decrease the batch size: about {suggested} would fit in the memory left"


# ---------------------------------------------------------------- the rules

def _rule(pattern: str, make: Callable[[Groups, _Failure], Finding | None]) -> _Rule:
    return _Rule(re.compile(pattern, re.DOTALL), make)


# First match wins: a specific text comes before a general one it contains.
RULES: tuple[_Rule, ...] = (
    # labels
    _rule(r"expected target dtype to be Long or Byte, but got (?P<got>\w+)",
          lambda g, f: _labels_not_indices(g["got"], f)),
    _rule(r"Found dtype (?P<got>\w+) but expected (?P<expected>\w+)",
          lambda g, f: _labels_not_floats(g["got"], g["expected"], f)),
    _rule(r"result type (?P<result>\w+) can't be cast to the desired output type (?P<into>\w+)", _cast_result),
    _rule(r"Expected object of scalar type (?P<expected>\w+) but got scalar type (?P<got>\w+) "
          r"for argument #\d+ '(?P<argument>\w+)'", _object_scalar_type),
    _rule(rf"Target (?P<label>-?{_N}) is out of bounds", _target_range),
    # aten/src/ATen/native/cuda/Loss.cu and NLLLoss2d.cu: CUDA_KERNEL_ASSERT(t >= 0 && t < n_classes);
    # in the message only with TORCH_USE_CUDA_DSA (c10/cuda/CUDADeviceAssertionHost.cpp)
    _rule(r"\b(?:t|cur_target) >= 0 && (?:t|cur_target) < n_classes", _target_range_on_gpu),
    # c10/cuda/CUDAException.cpp: "CUDA error: " + cudaGetErrorString(cudaErrorAssert)
    _rule(r"CUDA error: device-side assert triggered", _device_assert),
    _rule(r"0D or 1D target tensor expected, multi-target not supported", _target_multi),
    _rule(r"Expected floating point type for target with class probabilities, got (?P<got>\w+)",
          _target_probabilities),
    _rule(rf"Expected input batch_size \((?P<input>{_N})\) to match target batch_size \((?P<target>{_N})\)",
          lambda g, f: _batch_mismatch(int(g["input"]), int(g["target"]))),
    _rule(r"(?:Target size|Using a target size) \(torch\.Size\((?P<target>\[[\d, ]*\])\)\) "
          r"(?:must be the same as|that is different to the) input size \(torch\.Size\((?P<input>\[[\d, ]*\])\)\)",
          _target_size),
    _rule(rf"The size of tensor a \((?P<a>{_N})\) must match the size of tensor b \((?P<b>{_N})\) "
          rf"at non-singleton dimension (?P<dim>{_N})", _broadcast_in_loss),
    # layers
    _rule(rf"mat1 and mat2 shapes cannot be multiplied \((?P<rows>{_N})x(?P<features>{_N}) "
          rf"and (?P<wanted>{_N})x(?P<out>{_N})\)", _linear),
    _rule(r"Expected \dD \(unbatched\) or (?P<batched>\d)D \(batched\) input to (?P<op>\w+), "
          r"but got input of size: (?P<size>\[[\d, ]*\])", _conv_rank),
    _rule(r"weight of size (?P<weight>\[[\d, ]+\]), expected input(?P<input>\[[\d, ]+\]) "
          rf"to have (?P<wanted>{_N}) channels, but got (?P<got>{_N}) channels instead", _channels),
    # devices. aten/src/ATen/TensorIterator.cpp, and aten/src/ATen/core/adaption.cpp before PyTorch
    # 2.6 ("arugment" in older ones): "Expected all tensors to be on the same device, but found at
    # least two devices, cuda:0 and cpu! (when checking argument for argument mat1 in method
    # wrapper_CUDA_addmm)"
    _rule(r"Expected all tensors to be on the same device, but found at least two devices, "
          r"(?P<common>[\w:]+) and (?P<apart>[\w:]+)!(?: \(when checking ar(?:gu|ug)ment for argument "
          r"(?P<argument>\w+) in method (?P<method>\w+)\))?", _devices),
    # aten/src/ATen/core/adaption.cpp now: "Expected all tensors to be on the same device, but got
    # mat1 is on cpu, different from other tensors on cuda:0 (when checking argument in method
    # wrapper_CUDA_addmm)"
    _rule(r"Expected all tensors to be on the same device, but got (?P<argument>\w+) is on (?P<apart>[\w:]+), "
          r"different from other tensors on (?P<common>[\w:]+)(?: \(when checking argument in method "
          r"(?P<method>\w+)\))?", _devices),
    # torch/_prims_common/__init__.py, check_same_device (MPS, meta tensors)
    _rule(r"Tensor on device (?P<apart>[\w:]+) is not on the expected device (?P<common>[\w:]+)!", _devices),
    # aten/src/ATen/native/Convolution.cpp, check_input_same_type_as_parameters: "Input type
    # (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should be the same"
    _rule(r"Input type \((?P<input>[^)]*)\) and (?:weight|bias) type \((?P<param>[^)]*)\) should be the same",
          _type_pair),
    # dtypes
    _rule(r"mat1 and mat2 must have the same dtype, but got (?P<data>\w+) and (?P<model>\w+)",
          lambda g, f: _dtype_pair(g["data"], g["model"], data_first=True)),
    _rule(r"expected m1 and m2 to have the same dtype, but got: (?P<data>\w+(?: \w+)?) != (?P<model>\w+(?: \w+)?)",
          lambda g, f: _dtype_pair(g["data"], g["model"], data_first=True)),
    _rule(r"expected scalar type (?P<expected>\w+) but found (?P<found>\w+)", _scalar_type),
    # memory. CPU: c10/core/impl/alloc_cpu.cpp; CUDA: _TOTAL_FREE; MPS: _MPS_USED
    _rule(rf"DefaultCPUAllocator: can't allocate memory: you tried to allocate (?P<cpu>{_N}) bytes", _out_of_memory),
    _rule(rf"(?:CUDA|MPS backend) out of memory.*?Tried to allocate (?P<tried>{_SIZE})", _out_of_memory),
    _rule(r"CUDA error: out of memory|(?:CUDA|MPS backend) out of memory", _out_of_memory),
)
