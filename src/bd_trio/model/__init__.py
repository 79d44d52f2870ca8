"""Pure data: the Issue record, vocabularies, timestamps and value validation."""

from bd_trio.model.enums import DepType, IssueType, Status
from bd_trio.model.issue import Issue

__all__ = ["DepType", "Issue", "IssueType", "Status"]
