"""The shop's side of a conversation: orders, shipments and their tracking, and how they get here."""
