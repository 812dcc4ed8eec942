"""REST routes under /api/v1: thin adapters from HTTP to actions."""
