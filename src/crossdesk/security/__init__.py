"""Credentials: password hashing, session and API tokens, signed visitor tokens, rate limits."""
