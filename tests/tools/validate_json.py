"""validate_json.py SCHEMA DOCUMENT...: checks JSON documents against a JSON Schema.

Implements the subset docs/*.schema.json use: type (one or a list), enum,
required, properties, items, minimum, maximum, pattern and local $ref.
When the jsonschema package is installed, a document the subset finds
sound is also checked by it, as Draft 2020-12, so the schema itself must
be valid.  Prints one line per problem and exits 1 if there is any.
"""
import json
import re
import sys

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool)
    or isinstance(v, float) and v.is_integer(),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def resolve(root, schema):
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/"), ref
        schema = root
        for part in ref[2:].split("/"):
            schema = schema[part]
    return schema


def check(root, schema, value, where, problems):
    schema = resolve(root, schema)
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(TYPES[t](value) for t in types):
            problems.append("%s: %r is not %s" % (where, value, " or ".join(types)))
            return
    if "enum" in schema and value not in schema["enum"]:
        problems.append("%s: %r is not one of %s" % (where, value, schema["enum"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append("%s: %r is below %r" % (where, value, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            problems.append("%s: %r is above %r" % (where, value, schema["maximum"]))
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                problems.append("%s: %s is missing" % (where, name))
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                check(root, sub, value[name], "%s.%s" % (where, name), problems)
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(root, schema["items"], item, "%s[%d]" % (where, i), problems)


def full_check(schema, document, where, problems):
    """Draft 2020-12 by the jsonschema package, when it is installed."""
    try:
        import jsonschema
    except ImportError:
        return
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        problems.append("the schema: %s (jsonschema)" % error.message)
        return
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path)):
        place = "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in error.path)
        problems.append("%s%s: %s (jsonschema)" % (where, place, error.message))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    problems = []
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        found = len(problems)
        check(schema, schema, document, path, problems)
        if len(problems) == found:
            full_check(schema, document, path, problems)
    for problem in problems:
        print(problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
