"""The local server's lifecycle: start, a second start reuses it, status, clean stop."""

import pytest

from graph import neo4j_server
from testkit.instances import instance_settings

pytestmark = pytest.mark.neo4j


def test_start_status_restart_stop(tmp_path, neo4j_settings) -> None:
    settings = instance_settings(tmp_path / "instance")
    messages: list[str] = []
    try:
        started = neo4j_server.start(settings, log=messages.append)
        assert started.answering and started.gds_version.startswith("2.13")
        assert not any("Assembling" in m for m in messages)  # the cached assembly is reused
        again = neo4j_server.start(settings, log=messages.append)
        assert again.pid == started.pid
        status = neo4j_server.status(settings)
        assert status.running and status.answering
        assert (settings.neo4j_instance_dir / "logs" / "neo4j.log").exists()
        conf = (settings.neo4j_instance_dir / "conf" / "neo4j.conf").read_text()
        assert f"server.bolt.listen_address=127.0.0.1:{settings.neo4j.bolt_port}" in conf
    finally:
        assert neo4j_server.stop(settings, log=messages.append)
    stopped = neo4j_server.status(settings)
    assert not stopped.running and not stopped.answering


def test_wrong_password_is_a_clear_error(tmp_path, neo4j_settings) -> None:

    wrong = neo4j_settings.with_neo4j(password="not-the-password")
    with pytest.raises(neo4j_server.Neo4jServerError, match="rejected NEO4J_USER/NEO4J_PASSWORD"):
        neo4j_server.wait_until_answering(wrong, pid=None, timeout=20)
