"""The warning lifecycle: proposals, the transition table and its guard, snapshots, deadlines."""
