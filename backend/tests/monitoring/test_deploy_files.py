"""The shipped Prometheus rules and Grafana dashboard: valid, and only about metrics that
``/metrics`` really exposes (a renamed metric must not leave a dashboard blank)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "evodash.json"
METRIC = re.compile(r"\bevodash_[a-z_]+\b")
#: Grafana's variables, replaced the way Grafana would before the query reaches Prometheus.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$server": ".*", "$evolution": ".*"}
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


@pytest.fixture
async def exposed(client: httpx.AsyncClient, users: Any, as_user: Any) -> set[str]:
    """Every sample name ``/metrics`` can carry, from its HELP/TYPE lines."""
    response = await client.get("/metrics", headers=await as_user(await users.admin()))
    assert response.status_code == 200
    names: set[str] = set()
    for family in text_string_to_metric_families(response.text):
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


def check_expr(expr: str, exposed: set[str], where: str) -> None:
    try:
        promql_parser.parse(expr)
    except ValueError as exc:
        pytest.fail(f"{where}: invalid PromQL ({exc}): {expr}")
    used = set(METRIC.findall(expr))
    assert used, f"{where} reads no evodash metric: {expr}"
    assert used <= exposed, f"{where} reads metrics /metrics does not expose: {used - exposed}"


def test_alerting_rules_are_valid(exposed: set[str]) -> None:
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    rules = [rule for group in document["groups"] for rule in group["rules"]]
    assert len(rules) >= 8
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names)), "alert names repeat"
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
        assert rule["labels"]["severity"] in {"critical", "warning"}
        assert rule["annotations"]["summary"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["for"]
        if rule["alert"] == "EvodashDown":  # about the scrape itself, not an evodash metric
            promql_parser.parse(rule["expr"])
            continue
        check_expr(rule["expr"], exposed, rule["alert"])


def test_grafana_dashboard_is_valid(exposed: set[str]) -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"] == "evodash"
    panels = dashboard["panels"]
    assert len({panel["id"] for panel in panels}) == len(panels)
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        mine = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not mine & cells, f"{panel['title']} overlaps another panel"
        cells |= mine
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            expr = target["expr"]
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            assert "$" not in expr.replace("$labels", ""), f"unknown variable in {expr}"
            check_expr(expr, exposed, panel["title"])
    variables = {item["name"] for item in dashboard["templating"]["list"]}
    assert {"datasource", "server", "evolution"} <= variables
