"""Tables, the database handle and Alembic migrations; SQLite by default, PostgreSQL in production."""
