"""PostgreSQL adapters for the domain ports. SQL lives here and nowhere else."""
