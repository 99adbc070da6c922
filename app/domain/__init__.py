"""Use cases and business rules. Imports neither FastAPI nor SQLAlchemy."""
