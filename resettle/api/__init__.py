"""The JSON API at /api/v1: flask-smorest and marshmallow, personal tokens, one error shape.

How to add a resource: see the "API" section of the README and `resettle/api/blueprint.py`.
"""
