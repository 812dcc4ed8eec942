"""Event names and payload shapes: what the desk announces after a commit, to sockets, peers and webhooks."""
