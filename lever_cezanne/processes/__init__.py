"""New Starter processes: what a task still needs, and the only code that changes its status."""
