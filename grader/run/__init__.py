"""Running a notebook: the sandbox (bubblewrap, or a user id of its own), the kernel, the protocol."""
