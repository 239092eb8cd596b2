"""The JSON Schema of a spec file, generated from the model.

The committed copy in ``schemas/mou-spec.schema.json`` is what editors and
other tools read; a test fails when it drifts from :func:`spec_schema`.
"""

from __future__ import annotations

import json
from typing import Any

from mou_builder.spec.model import SCHEMA_ID, Spec

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`~mou_builder.spec.model.Spec`."""
    schema = Spec.model_json_schema(mode="validation")
    schema["$schema"] = DIALECT
    schema["$id"] = SCHEMA_ID
    return schema


def spec_schema_text() -> str:
    """The schema as the committed file holds it: sorted keys, two-space indent, final newline."""
    return json.dumps(spec_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
