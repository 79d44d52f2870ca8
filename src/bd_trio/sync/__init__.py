"""Moving issues between the database and `.beads/issues.jsonl` (and, later, git)."""
