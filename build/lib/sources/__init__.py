"""Source contracts: canonical schemas, column profiles, readers and pandera validation."""
