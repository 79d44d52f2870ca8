"""One module per command family; each has `register(app)`."""
