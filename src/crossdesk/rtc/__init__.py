"""Video and voice calls: who may join, and how browsers find a path to each other (STUN, TURN)."""
