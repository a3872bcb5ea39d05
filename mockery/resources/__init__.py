"""The fake database: collections of generated records behind REST, with changes kept in the store."""
