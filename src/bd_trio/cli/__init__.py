"""The `bd` command line: parse arguments, pick a backend, print human text or --json.

This package never imports trio (a CLI call is a short process).
"""
