"""crossdesk: a self-hostable customer-service desk for cross-border e-commerce sellers."""

__version__ = "0.1.0"
