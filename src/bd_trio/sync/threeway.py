"""The three-way merge of issues.jsonl: per issue (by id), against the common ancestor.

Used by `bd sync`, by `bd import` of a merged file, and by the git merge driver, so every clone
computes the same bytes. The rules, applied to each id:

- A tombstone on either side wins (a deletion wins over a concurrent edit); two tombstones:
  the earlier deletion.
- An issue on one side only is kept: absence from a file never means deletion.
- An issue on both sides, field by field: a field changed on one side takes that side; changed
  on both sides to different values, the side with the newer `updated_at` wins, ties broken by
  comparing the values themselves, so the result does not depend on which side merges.
  `updated_at` is the later of the two; `closed_at` follows the merged status. Every key of
  the record is such a field, the keys bd-trio does not model included (a key absent on a
  side is a value too: removed there); `metadata` merges key by key the same way.
- Labels, dependencies (by target) and comments merge as sets against the ancestor: an addition
  on either side is kept, a removal on one side is honoured.
- The same id created independently on both sides (no common ancestor, different
  `created_at`): both are kept; the one created later gets the next free number (`bd sync`
  renumbers unpushed issues before it merges, so this only happens on a plain `git pull`).

merge(base, a, b) == merge(base, b, a), merge(base, base, x) == x, and merging is idempotent
(tests/test_threeway.py checks these with hypothesis). Lines that are not issues (`_type`
records) are taken as they are; changed on both sides, the greater line (deterministic).
A merged issue is written in Go bd's form, its timestamps with the ancestor's text for them.
"""

from __future__ import annotations

import json
from typing import Any

from bd_trio.store.ids import split_numeric_id
from bd_trio.sync import jsonl, recordmap

Record = dict[str, Any]

# Fields holding a JSON object, merged key by key (each key like a scalar field).
OBJECTS = ("metadata",)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _records(text: str) -> dict[str, Record]:
    """Canonical records by id (parsing validates every line)."""
    return {
        r.key: r.to_record() for r in jsonl.parse(text) if not isinstance(r, jsonl.IncomingOther)
    }


def _lines(text: str) -> dict[str, str]:
    return {jsonl.line_key(line): line for line in text.split("\n") if line.strip()}


def merge_texts(base: str, ours: str, theirs: str) -> str:
    """The merged file. Lines equal on both sides, or changed on one side only, are taken as
    they are; only the issues changed on both sides are parsed and merged field by field (at
    10,000 issues a merge then parses a few hundred lines, not 30,000)."""
    b, o, t = _lines(base), _lines(ours), _lines(theirs)
    out: dict[str, str] = {}
    both_changed: list[str] = []
    for issue_id in set(o) | set(t):
        mine, other, old = o.get(issue_id), t.get(issue_id), b.get(issue_id)
        if mine == other or other is None:
            out[issue_id] = mine  # type: ignore[assignment]
        elif mine is None or mine == old:
            out[issue_id] = other
        elif other == old:
            out[issue_id] = mine
        elif issue_id.startswith(recordmap.OTHER_KEY_PREFIX):
            out[issue_id] = max(mine, other)  # not an issue: no fields to merge by
        else:
            both_changed.append(issue_id)
    if both_changed:

        def parsed(lines: dict[str, str]) -> dict[str, Record]:
            return _records("\n".join(lines[i] for i in both_changed if i in lines))

        merged = merge_records(parsed(b), parsed(o), parsed(t), frozenset(out))
        for issue_id, record in merged.items():
            # Go bd's form; timestamps keep the text the common ancestor had for them
            out[issue_id] = recordmap.render_line(record, b.get(issue_id))
    return "".join(out[i] + "\n" for i in sorted(out))


def merge_records(
    base: dict[str, Record],
    ours: dict[str, Record],
    theirs: dict[str, Record],
    reserved: frozenset[str] = frozenset(),
) -> dict[str, Record]:
    """`reserved`: ids used elsewhere in the file (a renumbered collision avoids them)."""
    out: dict[str, Record] = {}
    collisions: list[tuple[Record, Record]] = []
    for issue_id in sorted(set(ours) | set(theirs)):
        o, t, b = ours.get(issue_id), theirs.get(issue_id), base.get(issue_id)
        if o is None or t is None:
            kept = o if t is None else t
            assert kept is not None
            out[issue_id] = kept
        elif o.get("tombstone") or t.get("tombstone"):
            stones = [r for r in (o, t) if r.get("tombstone")]
            out[issue_id] = min(stones, key=lambda r: (r["deleted_at"], _key(r)))
        elif b is None and o["created_at"] != t["created_at"]:
            first, second = sorted((o, t), key=lambda r: (r["created_at"], _key(r)))
            out[issue_id] = first
            collisions.append((first, second))
        else:
            out[issue_id] = _merge_issue(
                b if b is not None and not b.get("tombstone") else {}, o, t
            )
    for _, second in collisions:
        new_id = _next_free_id(second["id"], set(out) | reserved)
        out[new_id] = _canonical(
            {
                **second,
                "id": new_id,
                "dependencies": [{**d, "issue_id": new_id} for d in second.get("dependencies", [])],
            }
        )
    return out


def _next_free_id(issue_id: str, taken: set[str]) -> str:
    parts = split_numeric_id(issue_id)
    if parts is None:
        n = 2
        while f"{issue_id}.{n}" in taken:
            n += 1
        return f"{issue_id}.{n}"
    prefix = parts[0]
    numbers = [p[1] for i in taken if (p := split_numeric_id(i)) is not None and p[0] == prefix]
    return f"{prefix}-{max(numbers, default=0) + 1}"


def _pick(b: Any, o: Any, t: Any, ours_newer: bool | None) -> Any:
    """One field: a change on one side wins; both changed: the newer side, ties by value."""
    if _key(o) == _key(t):
        return o
    if _key(o) == _key(b):
        return t
    if _key(t) == _key(b):
        return o
    if ours_newer is None:
        return o if _key(o) > _key(t) else t
    return o if ours_newer else t


# Keys merged by rules of their own; every other key of an issue's record (the modelled
# scalar fields and the keys kept verbatim alike) is merged as a scalar, key by key.
_SPECIAL = frozenset(
    {"id", "created_at", "updated_at", "labels", "dependencies", "comments", *OBJECTS}
)


def _merge_issue(b: Record, o: Record, t: Record) -> Record:
    if o == t:
        return o
    newer: bool | None = None
    if o["updated_at"] != t["updated_at"]:
        newer = o["updated_at"] > t["updated_at"]
    merged: Record = {"id": o["id"]}
    # Base keys in the base's order, then the added ones sorted: the same on every clone.
    added = (o.keys() | t.keys()) - b.keys() - _SPECIAL
    for name in [*(k for k in b if k not in _SPECIAL), *sorted(added)]:
        value = _pick(
            [b[name]] if name in b else [],
            [o[name]] if name in o else [],
            [t[name]] if name in t else [],
            newer,
        )
        if value:
            merged[name] = value[0]
    for name in OBJECTS:
        value = _merge_object(b.get(name) or {}, o.get(name) or {}, t.get(name) or {}, newer)
        if value:
            merged[name] = value
    merged["created_at"] = min(o["created_at"], t["created_at"])
    merged["updated_at"] = max(o["updated_at"], t["updated_at"])
    if merged.get("status") == "closed":
        closed = [
            r["closed_at"] for r in (o, t) if r.get("status") == "closed" and r.get("closed_at")
        ]
        merged["closed_at"] = max(closed) if closed else merged["updated_at"]
    merged["labels"] = sorted(
        _merge_set(b.get("labels", []), o.get("labels", []), t.get("labels", []), _key)
    )
    merged["dependencies"] = _merge_keyed(
        b.get("dependencies", []),
        o.get("dependencies", []),
        t.get("dependencies", []),
        lambda d: d["depends_on_id"],
        newer,
    )
    merged["comments"] = _merge_comments(
        b.get("comments", []), o.get("comments", []), t.get("comments", [])
    )
    return _canonical(merged)


def _merge_object(b: Record, o: Record, t: Record, newer: bool | None) -> Record:
    """Key by key, each key like a scalar field (absent is a value: a key removed on one side
    and left alone on the other goes). Key order does not depend on the side: the base's keys
    in the base's order, then the added keys sorted."""
    if _key(o) == _key(t):
        return o
    out: Record = {}
    for key in [*b, *sorted((o.keys() | t.keys()) - b.keys())]:
        # A one-element list holds a present value, an empty one an absent key.
        value = _pick(
            [b[key]] if key in b else [],
            [o[key]] if key in o else [],
            [t[key]] if key in t else [],
            newer,
        )
        if value:
            out[key] = value[0]
    return out


def _merge_comments(b: list[Record], o: list[Record], t: list[Record]) -> list[Record]:
    """A side's comments as they are when the other side left them alone (comments made in
    the same microsecond keep their order); changed on both sides, the counted union in
    time order."""
    if o in (b, t):
        return t
    if t == b:
        return o
    return sorted(_merge_counted(b, o, t), key=lambda c: (c["created_at"], _key(c)))


def _merge_set(b: list[Any], o: list[Any], t: list[Any], key: Any) -> list[Any]:
    """Adds from either side kept, a removal on one side honoured."""
    bk = {key(x) for x in b}
    ok = {key(x): x for x in o}
    tk = {key(x): x for x in t}
    keep = {k for k in ok.keys() & tk.keys()}  # on both sides
    keep |= {k for k in ok if k not in bk}  # added on ours
    keep |= {k for k in tk if k not in bk}  # added on theirs
    return [ok.get(k, tk.get(k)) for k in sorted(keep)]


def _merge_counted(b: list[Record], o: list[Record], t: list[Record]) -> list[Record]:
    """Comments: like a set, but two equal comments (same author, text and time) stay two.
    Per comment, the count of the side that changed it; changed on both sides, the larger."""
    counts: list[dict[str, int]] = [{}, {}, {}]
    items: dict[str, Record] = {}
    for side, comments in enumerate((b, o, t)):
        for comment in comments:
            key = _key(comment)
            items[key] = comment
            counts[side][key] = counts[side].get(key, 0) + 1
    out: list[Record] = []
    for key in sorted(items):
        base, ours, theirs = (c.get(key, 0) for c in counts)
        count = theirs if ours == base else ours if theirs == base else max(ours, theirs)
        out.extend([items[key]] * count)
    return out


def _merge_keyed(
    b: list[Record], o: list[Record], t: list[Record], key: Any, newer: bool | None
) -> list[Record]:
    bm = {key(x): x for x in b}
    om = {key(x): x for x in o}
    tm = {key(x): x for x in t}
    out = []
    for k in sorted(set(om) | set(tm)):
        if k in om and k in tm:
            out.append(_pick(bm.get(k), om[k], tm[k], newer))
        elif k in om and k not in bm:
            out.append(om[k])  # added on ours
        elif k in tm and k not in bm:
            out.append(tm[k])  # added on theirs
        # in base and on one side only: removed on the other side
    return out


def _canonical(record: Record) -> Record:
    """The record as the one serializer writes it (key order, normalised values)."""
    return jsonl.record_to_incoming(record).to_record()
