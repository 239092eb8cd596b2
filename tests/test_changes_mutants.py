"""Properties of `mou-build diff` (review/changes.py) that mutation testing found unguarded.

Each test states one property of the comparison; it is here, and not in test_changes.py, so that
this file and the comparison's source can change on different branches without conflict.
"""

from __future__ import annotations
