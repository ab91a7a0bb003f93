//! Support for the black-box tests: start the real app on port 0 against a fresh database.
