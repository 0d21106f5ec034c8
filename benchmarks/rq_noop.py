"""A job that does nothing: the RQ worker's own cost per job, the pipeline's baseline."""


def noop(delivery_id: int) -> None:
    """Take a delivery id like run_delivery, and return at once."""
    return None
