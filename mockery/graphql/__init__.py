"""GraphQL services from an SDL schema: the schema (``sdl.py``), the bounds a query must keep (``bounds.py``),
generated values (``values.py``), the objects answers are made of and their resolution (``objects.py``,
``execute.py``), the resources bound to object types (``state.py``) and the HTTP conventions (``transport.py``).

Answers are graphql-core's own execution of the query with a field resolver that generates values, so the
shape of an answer is the query's selection set by construction (aliases, fragments, directives, unions).
"""
