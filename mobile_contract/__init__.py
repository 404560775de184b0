"""The mobile contract, version 1: the wire types the phone app codes against.

This package imports nothing from the rest of the project; the API converts between these types and the domain.
Evolution is add-only: new fields are optional with defaults; nothing is renamed, retyped or removed.
"""

CONTRACT_VERSION = "1.1.0"
