#!/bin/bash
# Every GPU check, in one go, for a session lent a GPU machine (the device tool): the wheels
# that machine lacks travel in .whl/ (see the device README), everything prints for the notes.
# Each check has its own time limit so that one stuck check leaves time for the others.
cd "$(dirname "$0")/.."
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
        && export PYTHONPATH=/tmp/site:$PWD || exit 1
fi
export PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
step() { echo; echo "=== $*"; timeout "${LIMIT:-120}" "$@"; echo "=== exit $? ($1 ${2:-})"; }
LIMIT=60 step python3 benchmarks/gpu_check.py --seconds 5
LIMIT=90 step python3 benchmarks/gpubench_gpu.py
LIMIT=150 step python3 benchmarks/gpu_session.py
LIMIT=120 step python3 benchmarks/train_demos.py --only mnist,cnn --device cuda --rounds 2
LIMIT=90 step python3 benchmarks/train_overhead.py --device cuda --rounds 3 --steps 300
LIMIT=60 step python3 benchmarks/gradcam.py
LIMIT=120 step python3 benchmarks/ddp_scaling.py --backend nccl --rounds 2
