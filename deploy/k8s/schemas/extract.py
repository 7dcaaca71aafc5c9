"""Regenerate the vendored CRD schemas from local clones of the operators' repositories.

    python deploy/k8s/schemas/extract.py KEDA_CLONE RABBITMQ_CLONE CNPG_CLONE BARMAN_CLONE

Each clone is a git directory holding the release tag named in SOURCES below; nothing is
downloaded. Writes one JSON file per served CRD version (descriptions removed) and README.md's
table stays as it is: update the tags there too.
"""
import json
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCES = [  # repository, release, CRD files
    ("kedacore/keda", "v2.20.2", ["config/crd/bases/keda.sh_scaledobjects.yaml",
                                  "config/crd/bases/keda.sh_triggerauthentications.yaml"]),
    ("rabbitmq/cluster-operator", "v2.22.3", ["config/crd/bases/rabbitmq.com_rabbitmqclusters.yaml"]),
    ("cloudnative-pg/cloudnative-pg", "v1.30.0", ["config/crd/bases/postgresql.cnpg.io_clusters.yaml",
                                                  "config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml"]),
    ("cloudnative-pg/plugin-barman-cloud", "v0.14.0",
     ["config/crd/bases/barmancloud.cnpg.io_objectstores.yaml"]),
]


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def main(clones: list[str]) -> None:
    for clone, (repo, tag, paths) in zip(clones, SOURCES, strict=True):
        git = ["git", "-C", clone]
        commit = subprocess.check_output([*git, "rev-list", "-n1", tag], text=True).strip()
        for path in paths:
            crd = yaml.safe_load(subprocess.check_output([*git, "show", f"{tag}:{path}"], text=True))
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if not version.get("served"):
                    continue
                entry = {"x-source": {"repository": repo, "tag": tag, "commit": commit, "path": path},
                         "apiVersion": f"{group}/{version['name']}", "kind": kind,
                         "schema": strip(version["schema"]["openAPIV3Schema"])}
                out = HERE / f"{group}_{kind}_{version['name']}.json".lower()
                out.write_text(json.dumps(entry, indent=1, sort_keys=True) + "\n")
                print(out.name)


if __name__ == "__main__":
    main(sys.argv[1:])
