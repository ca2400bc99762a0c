#!/usr/bin/env python3
"""Offline schema check of Kubernetes manifests against the API's own models.

Usage: python3 deploy/kubernetes/validate.py FILE.yaml...   (needs: pip install kubernetes pyyaml)

Every document is validated by the official Python client's models (kubernetes 37: pydantic
models generated from the API's OpenAPI schema, which forbid unknown fields and require the
required ones). No cluster is contacted — `kubectl --dry-run=client` needs one to download
the schema.
"""
import sys

import kubernetes.client as k8s
import pydantic
import yaml

MODELS = {
    ("v1", "ConfigMap"): k8s.V1ConfigMap,
    ("batch/v1", "Job"): k8s.V1Job,
    ("v1", "ServiceAccount"): k8s.V1ServiceAccount,
    ("v1", "PersistentVolumeClaim"): k8s.V1PersistentVolumeClaim,
}


def main(paths):
    failed = False
    for path in paths:
        with open(path) as f:
            for n, doc in enumerate(yaml.safe_load_all(f)):
                if doc is None:
                    continue
                model = MODELS.get((doc.get("apiVersion"), doc.get("kind")))
                where = f"{path}: document {n} ({doc.get('kind')} {doc.get('metadata', {}).get('name')})"
                if model is None:
                    print(f"{where}: no model for {doc.get('apiVersion')} {doc.get('kind')}")
                    failed = True
                    continue
                try:
                    model.model_validate(doc)
                    print(f"{where}: valid")
                except pydantic.ValidationError as e:
                    failed = True
                    for error in e.errors():
                        print(f"{where}: {'.'.join(str(p) for p in error['loc'])}: {error['msg']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
