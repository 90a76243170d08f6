#!/usr/bin/env python3
"""The appliance's own software provenance as a CycloneDX 1.6 document.

  sbom.py --root DIR --version V --kernel K --out FILE   write it
  sbom.py --validate FILE --schema DIR                    check it

Every Debian package installed in the root file system becomes a `library`
component with its exact version and a package URL; Debian itself is the
`operating-system` component and siteboot the `application`. The document
depends only on the installed packages and SOURCE_DATE_EPOCH, so two builds
of the same packages give the same bytes.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import uuid
from urllib.parse import quote

NS = uuid.UUID("6f1d0c52-5a3b-4d36-9a3e-5b1f0c8e7a21")


def packages(root):
    fmt = "${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\t${db:Status-Abbrev}\n"
    out = subprocess.run(["dpkg-query", "--admindir", os.path.join(root, "var/lib/dpkg"),
                          "-W", "-f", fmt], check=True, capture_output=True, text=True).stdout
    pkgs = []
    for line in out.splitlines():
        name, ver, arch, src, srcver, status = line.split("\t")
        if not status.startswith("ii"):
            continue
        pkgs.append((name, ver, arch, src, srcver))
    return sorted(pkgs)


def purl(name, ver, arch, src, srcver):
    q = "arch=" + arch + "&distro=debian-12"
    if src and src != name:
        q += "&upstream=" + quote(src + "@" + srcver, safe="")
    return "pkg:deb/debian/%s@%s?%s" % (quote(name), quote(ver, safe=""), q)


def write(args):
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    stamp = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open(os.path.join(args.root, "etc/debian_version")) as f:
        debver = f.read().strip()
    pkgs = packages(args.root)
    comps = [{
        "type": "operating-system", "bom-ref": "os:debian",
        "name": "debian", "version": debver,
        "description": "Debian GNU/Linux 12 (bookworm), kernel " + args.kernel,
        "purl": "pkg:generic/debian@" + debver,
    }, {
        "type": "application", "bom-ref": "app:siteboot",
        "name": "siteboot", "version": args.version,
        "description": "siteboot, installed with make install into /usr/local",
    }]
    for name, ver, arch, src, srcver in pkgs:
        c = {"type": "library", "bom-ref": "deb:%s@%s" % (name, ver),
             "name": name, "version": ver,
             "purl": purl(name, ver, arch, src, srcver)}
        c["properties"] = [{"name": "debian:architecture", "value": arch},
                           {"name": "debian:source", "value": "%s %s" % (src or name, srcver or ver)}]
        comps.append(c)
    body = json.dumps(comps, sort_keys=True)
    doc = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": "urn:uuid:" + str(uuid.uuid5(NS, args.version + body)),
        "version": 1,
        "metadata": {
            "timestamp": stamp,
            "tools": {"components": [{"type": "application", "name": "siteboot images/sbom.py",
                                      "version": args.version}]},
            "component": {"type": "operating-system", "bom-ref": "appliance",
                          "name": "siteboot-appliance", "version": args.version,
                          "description": "the siteboot live appliance ISO (amd64)"},
        },
        "components": comps,
        "dependencies": [{"ref": "appliance", "dependsOn": [c["bom-ref"] for c in comps]}],
    }
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, args.out)
    print("sbom.py: %d Debian packages, Debian %s, siteboot %s -> %s"
          % (len(pkgs), debver, args.version, args.out))


def validate(args):
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    import jsonschema
    store = {}
    for fn in os.listdir(args.schema):
        if fn.endswith(".schema.json"):
            with open(os.path.join(args.schema, fn)) as f:
                s = json.load(f)
            store[fn] = s
            if "$id" in s:
                store[s["$id"]] = s
    schema = store["bom-1.6.schema.json"]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    with open(args.validate) as f:
        doc = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    errs = sorted(cls(schema, resolver=resolver).iter_errors(doc), key=lambda e: list(e.path))
    for e in errs[:10]:
        print("%s: %s: %s" % (args.validate, "/".join(map(str, e.path)) or "(root)", e.message),
              file=sys.stderr)
    if errs:
        return 1
    print("sbom.py: %s is valid CycloneDX 1.6 (%d components)" % (args.validate, len(doc["components"])))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root")
    ap.add_argument("--version")
    ap.add_argument("--kernel", default="")
    ap.add_argument("--out")
    ap.add_argument("--validate")
    ap.add_argument("--schema")
    a = ap.parse_args()
    if a.validate:
        return validate(a)
    if not (a.root and a.version and a.out):
        ap.error("--root, --version and --out are needed")
    write(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
