"""Provision, start, stop and inspect the local Neo4j Community + GDS server.

The server is assembled from Maven Central by the Maven project in
``docker/neo4j`` into a cache directory shared by every instance (one assembly per
Neo4j/GDS version pair); an instance (conf, data, logs, pid) lives under the data
directory, so tests can run their own instance beside the demo's. The server is the
plain ``org.neo4j.server.CommunityEntryPoint`` on the JVM, run detached.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from core.settings import NEO4J_ASSEMBLY_PROJECT, Settings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
SUPPORTED_JAVA = (17, 21)

# The JVM flags Neo4j's own launcher passes (see its default neo4j.conf).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]


class Neo4jServerError(RuntimeError):
    """The local server could not be provisioned, started or reached."""


@dataclass(frozen=True)
class Assembly:
    """A provisioned Neo4j home: ``lib/`` (server) and ``plugins/`` (GDS)."""

    neo4j_version: str
    gds_version: str
    home: Path

    @property
    def ready(self) -> bool:
        return (self.home / ".complete").exists()


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    answering: bool
    neo4j_version: str | None
    gds_version: str | None
    logs_dir: Path


def _pom_property(name: str) -> str:
    pom = (NEO4J_ASSEMBLY_PROJECT / "pom.xml").read_text()
    match = re.search(rf"<{name}>([^<]+)</{name}>", pom)
    if not match:
        raise Neo4jServerError(f"{NEO4J_ASSEMBLY_PROJECT / 'pom.xml'} has no <{name}>")
    return match.group(1).strip()


def assembly_for(settings: Settings) -> Assembly:
    """The assembly the checked-in Maven project describes, in the cache directory."""
    neo4j_version = _pom_property("neo4j.version")
    gds_version = _pom_property("gds.version")
    home = settings.cache_dir / f"neo4j-{neo4j_version}-gds-{gds_version}"
    return Assembly(neo4j_version, gds_version, home)


def java_executable() -> str:
    """A Java 17 or 21 runtime (the versions Neo4j 5.26 supports), from JAVA_HOME or PATH."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"))
    if shutil.which("java"):
        candidates.append(shutil.which("java"))
    for java in candidates:
        major = _java_major(java)
        if major in SUPPORTED_JAVA:
            return java
    raise Neo4jServerError(
        "Neo4j 5.26 needs Java 17 or 21; none found on JAVA_HOME or PATH "
        f"(looked at {candidates or 'nothing'})"
    )


def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, check=True, timeout=30
        ).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else None


def provision(settings: Settings, *, log=print) -> Assembly:
    """Build the assembly with Maven unless the cache already holds it."""
    assembly = assembly_for(settings)
    if assembly.ready:
        return assembly
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jServerError("Maven (mvn) is needed once to assemble Neo4j + GDS; install it")
    if assembly.home.exists():
        shutil.rmtree(assembly.home)
    log(
        f"Assembling Neo4j {assembly.neo4j_version} + GDS {assembly.gds_version} "
        f"from Maven Central into {assembly.home} (first start only) ..."
    )
    command = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(NEO4J_ASSEMBLY_PROJECT / "pom.xml"),
        "package",
        f"-Dneo4j.home={assembly.home}",
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise Neo4jServerError(f"Maven assembly failed ({' '.join(command)}):\n{tail}")
    if not list((assembly.home / "plugins").glob("open-gds-*.jar")):
        raise Neo4jServerError(f"Maven finished but no GDS plugin jar in {assembly.home}/plugins")
    (assembly.home / ".complete").write_text(f"{assembly.neo4j_version} {assembly.gds_version}\n")
    return assembly


def _write_conf(settings: Settings, assembly: Assembly) -> Path:
    instance = settings.neo4j_instance_dir
    conf_dir = instance / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    template = Template((NEO4J_ASSEMBLY_PROJECT / "neo4j.conf.template").read_text())
    (conf_dir / "neo4j.conf").write_text(
        template.substitute(
            bolt_port=settings.neo4j.bolt_port,
            instance_dir=instance,
            home_dir=assembly.home,
            heap=settings.neo4j.heap,
            pagecache=settings.neo4j.pagecache,
        )
    )
    for sub in ("data", "logs", "run", "import"):
        (instance / sub).mkdir(parents=True, exist_ok=True)
    return conf_dir


def _java_env(assembly: Assembly, conf_dir: Path) -> dict[str, str]:
    return {**os.environ, "NEO4J_HOME": str(assembly.home), "NEO4J_CONF": str(conf_dir)}


def _classpath(assembly: Assembly, *, with_plugins: bool) -> str:
    parts = [str(assembly.home / "lib" / "*")]
    if with_plugins:
        parts.append(str(assembly.home / "plugins" / "*"))
    return os.pathsep.join(parts)


def _admin_tool(
    assembly: Assembly, conf_dir: Path, *args: str, jvm: tuple[str, ...] = (), timeout=None
) -> subprocess.CompletedProcess:
    """Run Neo4j's own admin command (``neo4j-admin``) against this instance's config."""
    return subprocess.run(
        [
            java_executable(),
            *jvm,
            "-cp",
            _classpath(assembly, with_plugins=False),
            ADMIN_TOOL,
            *args,
        ],
        env=_java_env(assembly, conf_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _set_initial_password(settings: Settings, assembly: Assembly, conf_dir: Path) -> None:
    """Neo4j's own admin command, run before the first start of a new database."""
    result = _admin_tool(
        assembly,
        conf_dir,
        "dbms",
        "set-initial-password",
        "--",  # a password may start with "-"; it is never an option
        settings.neo4j.password,
        timeout=120,
    )
    if result.returncode != 0:
        first_lines = "\n".join(result.stderr.strip().splitlines()[:6])
        raise Neo4jServerError(f"set-initial-password failed: {first_lines}")


def import_full(
    settings: Settings,
    nodes: list[tuple[str, Path]],
    relationships: list[tuple[str, Path]],
    *,
    array_delimiter: str,
    report_file: Path,
) -> None:
    """Neo4j's offline bulk importer (``neo4j-admin database import full``): replaces the
    stopped ``neo4j`` database with the given CSV files (each with its own header line).
    Relationships whose end node is missing are skipped and listed in ``report_file``."""
    if running_pid(settings) is not None:
        raise Neo4jServerError("the bulk importer needs the Neo4j server stopped")
    assembly = provision(settings)
    result = _admin_tool(
        assembly,
        _write_conf(settings, assembly),
        "database",
        "import",
        "full",
        "neo4j",  # before the file options: they take several values each
        "--overwrite-destination=true",
        "--multiline-fields=true",
        f"--array-delimiter=U+{ord(array_delimiter):04X}",
        "--skip-bad-relationships=true",
        f"--report-file={report_file}",
        *(f"--nodes={label}={path}" for label, path in nodes),
        *(f"--relationships={kind}={path}" for kind, path in relationships),
        jvm=(f"-Xmx{settings.neo4j.heap}",),
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise Neo4jServerError(f"neo4j-admin database import failed:\n{tail}")


def _admin_database(settings: Settings, verb: str, *args: str) -> None:
    """``neo4j-admin database <verb> ... neo4j`` on this stopped instance."""
    if running_pid(settings) is not None:
        raise Neo4jServerError(f"neo4j-admin database {verb} needs the Neo4j server stopped")
    assembly = provision(settings)
    result = _admin_tool(
        assembly,
        _write_conf(settings, assembly),
        "database",
        verb,
        *args,
        "neo4j",
        jvm=(f"-Xmx{settings.neo4j.heap}",),
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise Neo4jServerError(f"neo4j-admin database {verb} failed:\n{tail}")


def dump(settings: Settings, to_dir: Path) -> Path:
    """Neo4j's own offline dump of the ``neo4j`` database into ``to_dir/neo4j.dump``
    (Community Edition dumps a stopped database only)."""
    to_dir.mkdir(parents=True, exist_ok=True)
    _admin_database(settings, "dump", f"--to-path={to_dir}")
    return to_dir / "neo4j.dump"


def load_dump(settings: Settings, from_dir: Path) -> None:
    """Replace the stopped ``neo4j`` database with ``from_dir/neo4j.dump`` (Neo4j's own
    ``database load``). A new instance is given its password first, as a first start is."""
    _set_password_if_new(settings)
    _admin_database(settings, "load", f"--from-path={from_dir}", "--overwrite-destination=true")


def _set_password_if_new(settings: Settings) -> None:
    assembly = provision(settings)
    conf_dir = _write_conf(settings, assembly)
    if not (settings.neo4j_instance_dir / "data" / "databases").exists():
        _set_initial_password(settings, assembly, conf_dir)


def _pid_file(settings: Settings) -> Path:
    return settings.neo4j_instance_dir / "run" / "crimegraph-neo4j.pid"


def running_pid(settings: Settings) -> int | None:
    """The pid of this instance's server process, if it runs."""
    path = _pid_file(settings)
    if not path.exists():
        return None
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        path.unlink(missing_ok=True)
        return None
    except PermissionError:
        return pid
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and ENTRY_POINT.encode() not in cmdline.read_bytes():
        path.unlink(missing_ok=True)  # the pid was reused by another program
        return None
    return pid


def _server_versions(settings: Settings) -> tuple[str, str]:
    with GraphDatabase.driver(
        settings.neo4j.uri,
        auth=(settings.neo4j.user, settings.neo4j.password),
        connection_timeout=5,
    ) as driver:
        # An auto-commit query: no driver-side retries while we poll.
        with driver.session() as session:
            record = session.run(
                "CALL dbms.components() YIELD versions "
                "RETURN versions[0] AS neo4j, gds.version() AS gds"
            ).single(strict=True)
        return record["neo4j"], record["gds"]


def wait_until_answering(
    settings: Settings, pid: int | None, timeout: float = 180.0
) -> tuple[str, str]:
    """Poll Bolt until the server answers a query; fail fast if its process died."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if pid is not None and not _alive(pid):
            raise Neo4jServerError(
                f"Neo4j exited during start-up; see {settings.neo4j_instance_dir / 'logs'}:\n"
                + _console_tail(settings)
            )
        try:
            return _server_versions(settings)
        except AuthError as exc:
            raise Neo4jServerError(
                "Neo4j rejected NEO4J_USER/NEO4J_PASSWORD. The password is fixed when the "
                f"database is first created; use that one, or delete "
                f"{settings.neo4j_instance_dir / 'data'} to start afresh."
            ) from exc
        except (ServiceUnavailable, OSError) as exc:
            last_error = exc
            time.sleep(0.5)
    raise Neo4jServerError(f"Neo4j did not answer within {timeout:.0f}s: {last_error}")


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


def _console_tail(settings: Settings, lines: int = 40) -> str:
    console = settings.neo4j_instance_dir / "logs" / "console.log"
    if not console.exists():
        return ""
    return "\n".join(console.read_text(errors="replace").splitlines()[-lines:])


def _class_archive(assembly: Assembly, java: str) -> Path:
    """The class-data-sharing archive of the classes a server start loads, for this JVM.

    A start loads and verifies tens of thousands of classes (Neo4j, and GDS's 30 MB jar,
    which Neo4j scans for procedures); from an archive the JVM maps them instead, which cuts
    start-up by about a third on two cores. The first start records the archive when it
    stops; a JVM that finds the archive does not match it ignores it.
    """
    build = hashlib.sha1(str(Path(java).resolve()).encode()).hexdigest()[:10]
    return assembly.home / f"classes-{build}.jsa"


def _class_archive_note(settings: Settings) -> Path:
    """Names the archive this instance's JVM writes at exit (pending path, final path)."""
    return settings.neo4j_instance_dir / "run" / "class-archive"


def _class_archive_flags(settings: Settings, assembly: Assembly, java: str) -> list[str]:
    archive = _class_archive(assembly, java)
    if archive.exists():
        _class_archive_note(settings).unlink(missing_ok=True)
        return [f"-XX:SharedArchiveFile={archive}"]
    # Written at exit under a name of its own (servers may stop at once), then renamed.
    pending = archive.with_name(f"{archive.stem}.{secrets.token_hex(4)}.tmp")
    _class_archive_note(settings).write_text(f"{pending}\n{archive}\n")
    return [f"-XX:ArchiveClassesAtExit={pending}"]


def _pending_class_archive(settings: Settings) -> tuple[Path, Path] | None:
    note = _class_archive_note(settings)
    if not note.exists():
        return None
    pending, archive = note.read_text().split()
    note.unlink()
    return Path(pending), Path(archive)


def _keep_class_archive(pending: Path, archive: Path, *, complete: bool) -> None:
    """Keep an archive the JVM finished writing (not one cut off by SIGKILL)."""
    if complete and pending.exists() and pending.stat().st_size > 0 and not archive.exists():
        os.replace(pending, archive)
    pending.unlink(missing_ok=True)


def start(settings: Settings, *, log=print) -> ServerStatus:
    """Provision if needed, then start the server detached and wait until it answers."""
    pid = running_pid(settings)
    if pid is not None:
        neo4j_version, gds_version = wait_until_answering(settings, pid)
        log(f"Neo4j already running (pid {pid}) on {settings.neo4j.uri}")
        return ServerStatus(True, pid, True, neo4j_version, gds_version, _logs(settings))
    assembly = provision(settings, log=log)
    conf_dir = _write_conf(settings, assembly)
    _set_password_if_new(settings)
    console = (settings.neo4j_instance_dir / "logs" / "console.log").open("ab")
    java = java_executable()
    command = [
        java,
        f"-Xms{settings.neo4j.heap}",
        f"-Xmx{settings.neo4j.heap}",
        *JVM_FLAGS,
        *_class_archive_flags(settings, assembly, java),
        "-cp",
        _classpath(assembly, with_plugins=True),
        ENTRY_POINT,
        f"--home-dir={assembly.home}",
        f"--config-dir={conf_dir}",
    ]
    process = subprocess.Popen(
        command,
        env=_java_env(assembly, conf_dir),
        stdout=console,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=settings.neo4j_instance_dir,
    )
    console.close()
    _pid_file(settings).write_text(f"{process.pid}\n")
    log(f"Starting Neo4j (pid {process.pid}), logs in {_logs(settings)} ...")
    try:
        neo4j_version, gds_version = wait_until_answering(settings, process.pid)
    except Neo4jServerError:
        stop(settings, log=lambda _msg: None)
        raise
    log(f"Neo4j {neo4j_version} with GDS {gds_version} answering on {settings.neo4j.uri}")
    return ServerStatus(True, process.pid, True, neo4j_version, gds_version, _logs(settings))


def stop(settings: Settings, *, timeout: float = 60.0, log=print) -> bool:
    """Stop the server cleanly (SIGTERM, then SIGKILL after ``timeout``). False if not running."""
    pid = running_pid(settings)
    if pid is None:
        log("Neo4j is not running")
        return False
    dumping = _pending_class_archive(settings)
    if dumping:
        timeout = max(timeout, 300.0)  # the JVM writes its class archive on the way out
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    killed = _alive(pid)
    if killed:
        log(f"Neo4j (pid {pid}) did not stop within {timeout:.0f}s; killing it")
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            time.sleep(0.1)
    _pid_file(settings).unlink(missing_ok=True)
    if dumping:
        _keep_class_archive(*dumping, complete=not killed)
    log(f"Neo4j (pid {pid}) stopped")
    return True


def status(settings: Settings) -> ServerStatus:
    """Whether the server process runs and whether it answers queries."""
    pid = running_pid(settings)
    try:
        neo4j_version, gds_version = _server_versions(settings)
        answering = True
    except Exception:
        neo4j_version = gds_version = None
        answering = False
    return ServerStatus(
        pid is not None, pid, answering, neo4j_version, gds_version, _logs(settings)
    )


def _logs(settings: Settings) -> Path:
    return settings.neo4j_instance_dir / "logs"
