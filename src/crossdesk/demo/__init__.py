"""The demo shop: agents, buyers in five languages and their conversations, loaded through the actions."""
