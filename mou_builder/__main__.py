"""``python -m mou_builder`` runs the ``mou-build`` command."""

from mou_builder.cli import run

# Only when run as a program: a tool that imports every module (doctest collection, API
# documentation) must not have its process ended by the command's quick exit.
if __name__ == "__main__":
    run()
