"""``python -m dlmagics.timeline``: the events as JSON, for the sidebar's built-in copy.

The sidebar ships ``labextension/events.json`` so that it can mark a notebook's events before
dlmagics is loaded in the kernel; tests/test_timeline.py checks that copy against events.yaml.
"""

import json
import sys

from . import events

json.dump([e.to_dict() for e in events()], sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
