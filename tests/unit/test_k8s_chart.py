"""deploy/k8s (the Helm chart) renders, every manifest is valid against its schema, and it runs
the topology docker-compose.yml and the local runner run: the same processes with the same
commands, ports, environment, probes, migrations and secrets (as test_deploy_consistency.py does
for compose). Offline: Helm comes from a PyPI package (deploy/k8s/tools.py), the schemas from
kubernetes-validate and deploy/k8s/schemas/."""
import copy
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "deploy" / "k8s"))

import databases  # noqa: E402
import render  # noqa: E402

from local_platform import ALL, DEFAULT_PORTS, SERVICES  # noqa: E402
from timebank_common import config, migrations  # noqa: E402

ENVIRONMENTS = render.ENVIRONMENTS
K8S = ROOT / "deploy" / "k8s"
# env vars the chart sets that no config reads: pieces of a URL expanded by Kubernetes ($(VAR))
URL_PIECES = {"TIMEBANK_DB_PASSWORD"}


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def config_vars(name):
    """Every environment variable deploy/config/<name>.yaml reads (``${VAR:default}``)."""
    text = (ROOT / "deploy" / "config" / f"{name}.yaml").read_text()
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def container(deployment, name=None):
    containers = deployment["spec"]["template"]["spec"]["containers"]
    return containers[0] if name is None else next(c for c in containers if c["name"] == name)


def env_names(c):
    return [e["name"] for e in c.get("env", [])]


def expand(c, secrets):
    """A container's environment as the process sees it: secret references replaced by
    ``secrets[(secret, key)]`` (made up here) and ``$(VAR)`` expanded as the kubelet does."""
    env = {}
    for item in c.get("env", []):
        if "valueFrom" in item:
            ref = item["valueFrom"]["secretKeyRef"]
            env[item["name"]] = secrets.setdefault((ref["name"], ref["key"]),
                                                   f"s{len(secrets)}x")
        else:
            env[item["name"]] = re.sub(r"\$\(([A-Za-z0-9_]+)\)",
                                       lambda m: env.get(m.group(1), m.group(0)), item["value"])
    return env


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def env_docs(request):
    return request.param, render.render(request.param)


@pytest.fixture(scope="module")
def docs(env_docs):
    return env_docs[1]


def test_there_is_a_production_and_a_staging_environment():
    assert {"province", "staging"} <= set(ENVIRONMENTS)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_chart_lints_renders_and_every_manifest_is_valid(environment):
    errors = render.check([environment])
    assert not errors, "\n".join(errors)
    kinds = [d["kind"] for d in render.render(environment)]
    for kind in ("Deployment", "Service", "PodDisruptionBudget", "Job", "ScaledObject",
                 "RabbitmqCluster", "Cluster", "ScheduledBackup", "ObjectStore", "Ingress"):
        assert kind in kinds, f"{environment}: no {kind}"


def test_the_validator_rejects_broken_manifests():
    """Not vacuous: an unknown field or a wrong type in a built-in kind and in each operator's
    kind is an error."""
    docs = render.render("province")
    deployment = copy.deepcopy(by_kind(docs, "Deployment")["timebank-ledger"])
    container(deployment)["readinessProbe"]["httpGet"]["paht"] = "/readyz"
    assert any("paht" in e for e in render.validate(deployment))
    for kind in ("ScaledObject", "RabbitmqCluster", "Cluster", "ScheduledBackup", "ObjectStore",
                 "TriggerAuthentication"):
        broken = copy.deepcopy(next(d for d in docs if d["kind"] == kind))
        broken["spec"]["replicaz"] = 3
        assert any("replicaz" in e for e in render.validate(broken)), kind
    cluster = copy.deepcopy(next(d for d in docs if d["kind"] == "Cluster"))
    cluster["spec"]["instances"] = "three"
    assert render.validate(cluster)
    unknown = {"apiVersion": "example.org/v1", "kind": "Gizmo", "metadata": {"name": "x"}}
    assert render.validate(unknown)


def test_no_secret_value_is_rendered(docs):
    """Secrets are made by the operator (deploy/k8s/README.md), never by the chart."""
    assert not [d for d in docs if d["kind"] == "Secret"]


def test_a_deployment_per_process_of_the_local_runner_with_the_compose_command(docs):
    deployments = by_kind(docs, "Deployment")
    services = compose()["services"]
    images = set()
    for name in ALL:
        deployment = deployments[f"timebank-{name}"]
        c = container(deployment)
        assert c["args"] == services[name]["command"] == ["timebank_common.runner", name]
        images.add(c["image"])
    assert len(images) == 1, "one image for every service and the gateway (deploy/Dockerfile)"
    assert set(deployments) == {f"timebank-{n}" for n in ALL} | {"timebank-console",
                                                                   "timebank-redis"}


def test_ports_match_the_runner_compose_and_the_configs(docs, monkeypatch):
    deployments, services = by_kind(docs, "Deployment"), by_kind(docs, "Service")
    compose_env = compose()["services"]["gateway"]["environment"]
    for name in ALL:
        port = DEFAULT_PORTS[name]
        c = container(deployments[f"timebank-{name}"])
        assert c["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        env = expand(c, {})
        assert env[f"{name.upper()}_HTTP"] == compose_env[f"{name.upper()}_HTTP"] == \
            f"0.0.0.0:{port}"
        assert services[f"timebank-{name}"]["spec"]["ports"][0]["port"] == port
        monkeypatch.setenv(f"{name.upper()}_HTTP", env[f"{name.upper()}_HTTP"])
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        assert cfg["WEB_SERVER_ADDRESS"] == f"0.0.0.0:{port}"


def test_environment_matches_compose_and_what_each_config_reads(docs):
    """Each process gets every variable compose gives it that its config reads, and nothing
    its config does not read (a misspelt name would be silently ignored)."""
    deployments = by_kind(docs, "Deployment")
    services = compose()["services"]
    for name in ALL:
        names = env_names(container(deployments[f"timebank-{name}"]))
        assert len(names) == len(set(names)), f"{name}: a variable set twice"
        reads = config_vars(name)
        unread = set(names) - reads - URL_PIECES
        assert not unread, f"{name}: sets {sorted(unread)}, which deploy/config/{name}.yaml never reads"
        wanted = set(services[name]["environment"]) & reads
        assert not wanted - set(names), f"{name}: compose gives {sorted(wanted - set(names))}"


def test_each_service_connects_as_its_app_role_to_its_own_database(docs, monkeypatch):
    """As compose: the processes use the application role (deploy/databases.py's names) of
    their own database, never the owner; only the migration Job knows the owner's password."""
    local = databases.ServiceDatabases()
    deployments, jobs = by_kind(docs, "Deployment"), by_kind(docs, "Job")
    for name in SERVICES:
        c = container(deployments[f"timebank-{name}"])
        secrets = {}
        env = expand(c, secrets)
        assert f"{name.upper()}_MIGRATION_DATABASE_URL" not in env
        assert {s for s, _ in secrets} == {f"timebank-{name}-db-app", f"timebank-{name}-amqp"}
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        url = cfg["DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://")
        assert url.split("//")[1].split(":")[0] == local.app_role(name)
        assert url.endswith(f"@timebank-{name}-db-rw:5432/{local.database(name)}")
        assert secrets[(f"timebank-{name}-db-app", "password")] in url
        job_env = expand(jobs[f"timebank-{name}-migrate"]["spec"]["template"]["spec"]
                         ["initContainers"][0], {})
        owner = job_env[f"{name.upper()}_MIGRATION_DATABASE_URL"]
        assert owner.split("//")[1].split(":")[0] == local.owner_role(name)
        assert job_env[f"{name.upper()}_DATABASE_URL"].split("//")[1].split("@")[0] == \
            local.app_role(name)  # only its name: the grants go to it
    gateway = expand(container(deployments["timebank-gateway"]), {})
    assert not [k for k in gateway if "DATABASE_URL" in k], "the gateway has no database"


def test_a_migration_job_per_service_runs_the_migrate_command_before_the_deployments(docs):
    jobs = by_kind(docs, "Job")
    assert set(jobs) == {f"timebank-{n}-migrate" for n in SERVICES}
    assert migrations.MIGRATE_COMMAND == "python -m timebank_common.migrations"
    for name in SERVICES:
        job = jobs[f"timebank-{name}-migrate"]
        assert set(job["metadata"]["annotations"]["helm.sh/hook"].split(",")) == {
            "pre-install", "pre-upgrade"}
        spec = job["spec"]["template"]["spec"]
        assert spec["restartPolicy"] == "Never"
        # the image's entrypoint is `python -m` (deploy/Dockerfile)
        assert spec["initContainers"][0]["args"] == ["timebank_common.migrations", name]
        assert container(job)["args"] == ["timebank_common.queues", "upgrade", name]
        assert container(job)["image"] == container(
            by_kind(docs, "Deployment")[f"timebank-{name}"])["image"]


def test_probes_and_shutdown(docs):
    """Liveness /livez, readiness /readyz on the service's port; the grace period outlasts the
    preStop pause plus the longest RPC wait (the gateway's RPC_TIMEOUT_SECONDS)."""
    gateway_cfg = config.load(ROOT / "deploy" / "config" / "gateway.yaml")
    rpc_timeout = float(gateway_cfg["RPC_TIMEOUT_SECONDS"])
    for name in SERVICES:  # service-to-service waits are shorter than the gateway's
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        for key, value in cfg.items():
            if key.endswith("RPC_TIMEOUT_SECONDS"):
                assert float(value) <= rpc_timeout
    deployments = by_kind(docs, "Deployment")
    for name in ALL:
        pod = deployments[f"timebank-{name}"]["spec"]["template"]["spec"]
        c = container(deployments[f"timebank-{name}"])
        assert c["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "http"}
        assert c["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert c["startupProbe"]["httpGet"]["path"] == "/livez"
        pause = float(c["lifecycle"]["preStop"]["exec"]["command"][1])
        assert c["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"
        assert pod["terminationGracePeriodSeconds"] > pause + rpc_timeout
        env = expand(c, {})
        if "RPC_TIMEOUT_SECONDS" in env:
            assert float(env["RPC_TIMEOUT_SECONDS"]) == rpc_timeout


def test_every_container_requests_resources_and_every_deployment_has_a_pdb(docs):
    pdbs = by_kind(docs, "PodDisruptionBudget")
    for d in docs:
        if d["kind"] not in ("Deployment", "Job"):
            continue
        spec = d["spec"]["template"]["spec"]
        for c in spec.get("initContainers", []) + spec["containers"]:
            requests = c.get("resources", {}).get("requests", {})
            assert {"cpu", "memory"} <= set(requests), f"{d['metadata']['name']}/{c['name']}"
        if d["kind"] == "Deployment" and d["metadata"]["name"] != "timebank-redis":
            pdb = pdbs[d["metadata"]["name"]]
            assert pdb["spec"]["selector"]["matchLabels"] == d["spec"]["selector"]["matchLabels"]


def test_keda_scales_each_service_on_its_own_queues_and_the_gateway_on_cpu(docs):
    from timebank_common.contract_docs import service_class
    from timebank_common.queues import service_queues

    scaled = by_kind(docs, "ScaledObject")
    assert set(scaled) == {f"timebank-{n}" for n in ALL}
    queues = {}
    for name in SERVICES:
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        queues[name] = [q.name for q in service_queues(service_class(name), cfg)
                        if not q.name.endswith(".dead-letters")]
        assert queues[name], f"{name} consumes from no queue"
    for name in SERVICES:
        obj = scaled[f"timebank-{name}"]
        assert obj["spec"]["scaleTargetRef"]["name"] == f"timebank-{name}"
        (trigger,) = obj["spec"]["triggers"]
        meta = trigger["metadata"]
        assert trigger["type"] == "rabbitmq" and meta["useRegex"] == "true"
        assert meta["protocol"] == "http" and meta["operation"] == "sum"
        pattern = re.compile(meta["queueName"])
        for other, names in queues.items():
            for queue in names:
                assert bool(pattern.fullmatch(queue)) == (other == name), (name, queue)
    gateway = scaled["timebank-gateway"]
    assert [t["type"] for t in gateway["spec"]["triggers"]] == ["cpu"]
    deployments = by_kind(docs, "Deployment")
    assert "cpu" in container(deployments["timebank-gateway"])["resources"]["requests"]
    for name in ALL:  # KEDA owns the replica count
        assert "replicas" not in deployments[f"timebank-{name}"]["spec"]


def test_connections_fit_each_database(env_docs):
    """At its largest scale a service's processes (pool + overflow each, as their config says)
    and its migration Job fit the cluster's max_connections, 3 kept for the superuser."""
    environment, docs = env_docs
    clusters, scaled = by_kind(docs, "Cluster"), by_kind(docs, "ScaledObject")
    for name in SERVICES:
        cfg = config.load(ROOT / "deploy" / "config" / f"{name}.yaml")
        per_process = int(cfg["DB_POOL_SIZE"]) + int(cfg["DB_POOL_OVERFLOW"])
        most = scaled[f"timebank-{name}"]["spec"]["maxReplicaCount"] * per_process + 1 + 3
        limit = int(clusters[f"timebank-{name}-db"]["spec"]["postgresql"]["parameters"]
                    ["max_connections"])
        assert most <= limit, f"{environment}/{name}: {most} connections > {limit}"


def test_data_layer_three_rabbitmq_nodes_and_a_backed_up_cluster_per_service(docs):
    local = databases.ServiceDatabases()
    (rabbit,) = by_kind(docs, "RabbitmqCluster").values()
    assert rabbit["spec"]["replicas"] == 3
    clusters, backups = by_kind(docs, "Cluster"), by_kind(docs, "ScheduledBackup")
    stores = by_kind(docs, "ObjectStore")
    assert set(clusters) == {f"timebank-{n}-db" for n in SERVICES}
    for name in SERVICES:
        spec = clusters[f"timebank-{name}-db"]["spec"]
        initdb = spec["bootstrap"]["initdb"]
        assert initdb["database"] == local.database(name)
        assert initdb["owner"] == local.owner_role(name)
        assert initdb["secret"]["name"] == f"timebank-{name}-db-owner"
        (role,) = spec["managed"]["roles"]
        assert role["name"] == local.app_role(name) and role["login"] is True
        assert role["passwordSecret"]["name"] == f"timebank-{name}-db-app"
        (plugin,) = spec["plugins"]
        assert plugin["isWALArchiver"] is True
        assert plugin["parameters"]["barmanObjectName"] in stores
        (backup,) = [b for b in backups.values()
                     if b["spec"]["cluster"]["name"] == f"timebank-{name}-db"]
        assert backup["spec"]["method"] == "plugin"


def test_secrets_per_service(docs):
    """identity alone has the signing and personal-data keys, the ledger alone the certificate
    key, reporting alone the report key; the gateway only the JWT public key; every Secret the
    chart refers to is listed in deploy/k8s/README.md for the operator to create."""
    deployments = by_kind(docs, "Deployment")
    mounted = {}
    for name in ALL:
        pod = deployments[f"timebank-{name}"]["spec"]["template"]["spec"]
        env = expand(container(deployments[f"timebank-{name}"]), {})
        files = {k: v for k, v in env.items() if k.endswith("_FILE")}
        mounted[name] = files
        secret_volumes = [v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v]
        assert secret_volumes in ([], [f"timebank-{name}-keys"]), name
    assert set(mounted["identity"]) == {"JWT_PRIVATE_KEY_FILE", "JWT_PUBLIC_KEY_FILE",
                                        "PII_KEYS_FILE"}
    assert set(mounted["ledger"]) == {"CERTIFICATE_PRIVATE_KEY_FILE",
                                      "CERTIFICATE_PUBLIC_KEY_FILE"}
    assert set(mounted["reporting"]) == {"REPORT_PRIVATE_KEY_FILE", "REPORT_PUBLIC_KEY_FILE"}
    assert set(mounted["gateway"]) == {"JWT_PUBLIC_KEY_FILE"}
    for name in ("demand", "matching", "notify"):
        assert not mounted[name], name
    readme = (K8S / "README.md").read_text()
    for name in sorted(referenced_secrets(docs)):
        assert f"`{name}`" in readme, f"deploy/k8s/README.md does not list Secret {name}"


def referenced_secrets(docs):
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key in ("secretKeyRef", "secretRef", "passwordSecret"):
                if isinstance(node.get(key), dict) and "name" in node[key]:
                    found.add(node[key]["name"])
            if "secretName" in node:
                found.add(node["secretName"])
            if node.get("kind") == "Cluster" and "bootstrap" in node.get("spec", {}):
                found.add(node["spec"]["bootstrap"]["initdb"]["secret"]["name"])
            for parameter in node.get("secretTargetRef", []):
                found.add(parameter["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for d in docs:
        walk(d)
        if d["kind"] == "ObjectStore":
            for ref in d["spec"]["configuration"]["s3Credentials"].values():
                found.add(ref["name"])
    return found


def test_a_misspelt_values_key_is_an_error_not_a_silent_default():
    """chart/values.schema.json: an overlay's typo fails the render instead of being ignored."""
    with pytest.raises(render.RenderError, match="scalling"):
        render.helm("template", "timebank", str(render.CHART), "-f",
                    str(render.VALUES / "staging.yaml"),
                    "--set", "services.identity.scalling.minReplicas=1")
