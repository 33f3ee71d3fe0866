"""The product's domain: one typed request per operation, typed results, nothing about HTTP.

The wire (`api/operations.py`) and the console build these objects; the services take and return
them. Field names are Python's; each field knows its Transcribe member name (`members.py`), so the
one conversion to and from AWS dictionaries is generic and lives at the wire.
"""
