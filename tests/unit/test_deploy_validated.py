"""The deployment operators use is checked with the tools they would use: the compose file against
the Compose Specification's JSON Schema (check-jsonschema, the schema vendored in deploy/schemas),
the Kubernetes manifests as kustomize renders them (kubernetes-validate, strict: no unknown field),
and the Dockerfile with hadolint."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import kubernetes_validate
import yaml

from conftest import binary

ROOT = Path(__file__).resolve().parents[2]
KUBERNETES = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.37"  # what deploy/README.md asks of a cluster


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_compose_file_follows_the_compose_specification():
    checked = run(binary("check-jsonschema"), "--schemafile", "deploy/schemas/compose-spec.json", "docker-compose.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_dockerfile_passes_hadolint():
    for dockerfile in sorted((ROOT / "deploy").glob("Dockerfile*")):
        if dockerfile.name.endswith(".dockerignore"):
            continue
        checked = run(binary("hadolint"), str(dockerfile.relative_to(ROOT)))
        assert checked.returncode == 0, checked.stdout + checked.stderr


def rendered() -> list[dict]:
    """What `kubectl apply -k deploy/kubernetes` applies: its resources with the kustomization's
    namespace, labels (not on selectors) and image (the fields kustomization.yaml uses)."""
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text(encoding="utf-8"))
    assert set(kustomization) <= {"apiVersion", "kind", "namespace", "labels", "resources", "images"}, (
        "kustomization.yaml uses a field this test does not render: teach rendered() it"
    )
    labels = {}
    for entry in kustomization.get("labels", []):
        assert not entry.get("includeSelectors") and not entry.get("includeTemplates")
        labels.update(entry["pairs"])
    images = {image["name"]: f"{image['newName']}:{image['newTag']}" for image in kustomization.get("images", [])}
    resources = []
    for name in kustomization["resources"]:
        for resource in yaml.safe_load_all((KUBERNETES / name).read_text(encoding="utf-8")):
            if not resource:
                continue
            resource = copy.deepcopy(resource)
            metadata = resource.setdefault("metadata", {})
            if resource["kind"] != "Namespace":
                metadata["namespace"] = kustomization["namespace"]
            metadata["labels"] = {**metadata.get("labels", {}), **labels}
            pod = resource.get("spec", {}).get("template", {}).get("spec", {})
            for container in pod.get("containers", []) + pod.get("initContainers", []):
                image, _, _tag = container["image"].partition(":")
                container["image"] = images.get(image, container["image"])
            resources.append(resource)
    return resources


def test_the_kubernetes_manifests_as_kustomize_renders_them_are_valid():
    resources = rendered()
    assert {resource["kind"] for resource in resources} >= {"Namespace", "ConfigMap", "Job", "Deployment", "Service", "Ingress"}
    example_secret = yaml.safe_load((KUBERNETES / "secret.example.yaml").read_text(encoding="utf-8"))
    for resource in [*resources, example_secret]:
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            raise AssertionError(f"{resource['kind']}/{resource['metadata']['name']}: {error.message} at {list(error.path)}") from None
    images = {c["image"] for r in resources for c in r.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [])}
    assert images == {"registry.example.fi/kotopolku:0.1.0"}
