"""Plain dataclasses and enums shared by every layer: conversations, messages, agents, principals."""
