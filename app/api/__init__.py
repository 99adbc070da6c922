"""HTTP edge: parse, authenticate, call a use case, shape the response."""
