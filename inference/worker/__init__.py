"""The worker service: takes jobs from the queue, runs the engines, stores the results."""
