"""`python -m crimegraph.cli`: the same as the `crimegraph` command."""

from crimegraph.cli import main

main()
