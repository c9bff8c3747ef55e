"""The offline console: every feature, scriptable from standard input, no token, no network."""
