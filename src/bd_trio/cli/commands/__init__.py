"""The handlers of the `bd` commands, one module per family: plain functions taking the
parsed arguments as keywords. `cli/table.py` declares which handler serves which command."""
