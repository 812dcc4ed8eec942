"""The playbook coach: what a buyer message is about and how it feels, and how good an agent's reply is.

The playbook itself is data (`playbook/*.toml`), editable by a support lead; this package only applies it."""
