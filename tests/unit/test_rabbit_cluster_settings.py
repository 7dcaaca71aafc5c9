"""The cluster script's names and URLs, without booting anything: what services and tests are
handed (the failover URL kombu and nameko parse) and what a second process reopens."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from kombu import Connection
from timebank_testing.infra import Rabbit

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy"))

from rabbit_cluster import RabbitCluster  # noqa: E402


def test_the_failover_url_names_every_node_and_kombu_tries_them_in_order(tmp_path):
    cluster = RabbitCluster(tmp_path, prefix="tbx", subnet="10.91.0", password="pw")
    uri = cluster.amqp_uri("tbv")
    assert uri == ("amqp://timebank:pw@10.91.0.11:5672/tbv;amqp://timebank:pw@10.91.0.12:5672/tbv;"
                   "amqp://timebank:pw@10.91.0.13:5672/tbv")
    conn = Connection(uri)
    assert [conn.hostname, *(Connection(a).hostname for a in conn.alt[1:])] == [
        "10.91.0.11", "10.91.0.12", "10.91.0.13"]
    assert conn.virtual_host == "tbv"
    assert cluster.amqp_uri().endswith("10.91.0.13:5672/%2F")  # the default vhost, escaped


def test_a_second_process_reopens_the_same_cluster(tmp_path):
    cluster = RabbitCluster(tmp_path, size=3, prefix="tbx", subnet="10.91.0")
    cluster._save()
    again = RabbitCluster.open(tmp_path)
    assert again.amqp_uri("v") == cluster.amqp_uri("v")
    assert again.auth == cluster.auth
    assert (tmp_path / "cluster.json").stat().st_mode & 0o077 == 0  # the password stays private


def test_test_vhosts_on_the_cluster_use_every_node(tmp_path):
    cluster = RabbitCluster(tmp_path, prefix="tbx", subnet="10.91.0", password="pw")
    rabbit = Rabbit.on_cluster(cluster, "tbtest-1")
    assert rabbit.uri == cluster.amqp_uri("tbtest-1")
    assert rabbit.apis == [f"http://10.91.0.{n}:15672/api" for n in (11, 12, 13)]
    assert rabbit.auth == ("timebank", "pw")


@pytest.mark.parametrize("prefix", ["", "TB", "toolongprefix", "tb-1"])
def test_a_prefix_must_fit_interface_names(tmp_path, prefix):
    with pytest.raises(ValueError):
        RabbitCluster(tmp_path, prefix=prefix)


def test_its_environment_points_the_platform_and_the_test_fixtures_at_every_node(tmp_path):
    cluster = RabbitCluster(tmp_path, prefix="tbx", subnet="10.91.0", password="pw")
    env = cluster.env("tbv")
    assert env["AMQP_URI"] == cluster.amqp_uri("tbv")
    assert env["TIMEBANK_RABBIT_API"].split(";") == [cluster.management_url(i) for i in (1, 2, 3)]
    rabbit = Rabbit("tbv", env["TIMEBANK_RABBIT_API"], env["TIMEBANK_RABBIT_AMQP"],
                    (env["TIMEBANK_RABBIT_USER"], env["TIMEBANK_RABBIT_PASSWORD"]))
    assert rabbit.uri == cluster.amqp_uri("tbv")
