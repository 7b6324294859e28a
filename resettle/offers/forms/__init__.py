"""The offers package's forms, one module per area."""
