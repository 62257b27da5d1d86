"""Built-in task families: one package each, declaring its ``FAMILY`` (an entry point)."""
