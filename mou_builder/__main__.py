"""``python -m mou_builder`` runs the ``mou-build`` command."""

from mou_builder.cli import run

run()
