"""The standing fault suite: hostile servers, database faults, kills and sharing, on the real poll path."""
