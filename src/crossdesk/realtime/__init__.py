"""Per-connection live delivery: ordered by sequence, gaps filled from the database, resume, heartbeats."""
