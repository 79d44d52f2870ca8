"""Pure data: the Issue record (`issue`), vocabularies (`enums`), timestamps (`clock`), lease
lengths (`durations`) and value validation (`validate`).

Nothing is imported here on purpose: the CLI's start-up path imports `durations` alone and
must not pay for dataclasses and enums it does not use.
"""
