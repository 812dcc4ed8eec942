"""Publish/subscribe between server processes: in-process by default, Redis when configured."""
