"""The three domain services and their shared kernel."""
