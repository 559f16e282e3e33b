"""The master notebook: read it, check it, release the student version."""
