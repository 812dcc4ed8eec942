"""Use cases: check (validate, authorize), do (write in one transaction), then publish after the commit."""
