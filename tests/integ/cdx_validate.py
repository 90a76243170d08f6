#!/usr/bin/env python3
"""Validate a CycloneDX 1.6 JSON document against the official schema files
(../shared/schemas/cyclonedx-1.6/), offline. Usage: cdx_validate.py DIR DOC"""
import json, os, sys
import jsonschema

d, doc = sys.argv[1], json.load(open(sys.argv[2]))
schemas = {}
for f in ("bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"):
    s = json.load(open(os.path.join(d, f)))
    schemas[s["$id"]] = s
root = schemas["http://cyclonedx.org/schema/bom-1.6.schema.json"]
try:
    from referencing import Registry, Resource
    reg = Registry().with_resources([(k, Resource.from_contents(v)) for k, v in schemas.items()])
    v = jsonschema.Draft7Validator(root, registry=reg)
except ImportError:
    v = jsonschema.Draft7Validator(root, resolver=jsonschema.RefResolver.from_schema(root, store=schemas))
errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:10]:
    print("%s: %s" % ("/".join(map(str, e.path)), e.message))
sys.exit(1 if errors else 0)
