"""Language detection and translation behind one interface each; engines live in crossdesk.providers."""
