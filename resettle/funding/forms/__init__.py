"""The funding package's forms, one module per area."""
