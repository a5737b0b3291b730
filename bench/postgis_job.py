"""The analyze job in PostGIS, for the side-by-side benchmark: same arguments and the same one JSON line on stdout
as geopandas_job.py. Loads the GeoJSON files with ogr2ogr (COPY), builds GiST indexes on the coverage polygons,
counts the settlements with at least --min-households households that intersect (ST_Intersects: boundary points
count as covered, as in Coverage Atlas) any mobile polygon of the wanted tech and any broadband polygon.

By default it runs its own throwaway PostgreSQL 15 cluster in a temporary directory (Unix socket only, trust
auth, removed at the end), so it needs no configured server; with --dsn it uses an existing server instead
and only creates and drops a scratch database there. Phase times go to stderr, the last line as JSON: "setup"
(cluster, database, extension and empty tables: not part of the job, an analyst has them already), "load",
"index" (GiST + ANALYZE), "query", "job" (load + index + query), "serverCpu" (the cluster's CPU seconds, which
/usr/bin/time does not see: the server is not a child of this process), "clientCpu" (this process and
ogr2ogr) and "peakMB" (highest summed PSS of this process, its children and the server's processes)"""
import argparse
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2

PG_BIN = "/usr/lib/postgresql/15/bin"
DB = "coverage_atlas_bench"

parser = argparse.ArgumentParser()
parser.add_argument("--settlements", required=True)
parser.add_argument("--mobile", action="append", required=True)
parser.add_argument("--broadband", action="append", required=True)
parser.add_argument("--min-households", type=int, default=25)
parser.add_argument("--mobile-tech", default="4G")
parser.add_argument("--dsn", help="libpq connection string of an existing server (default: a throwaway cluster)")
parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="files loaded and indexes built at the same time (default: the CPU count)")
args = parser.parse_args()

for path in [args.settlements, *args.mobile, *args.broadband]:
    if not os.path.isfile(path):
        sys.exit(f"postgis_job: input file {path} does not exist")


def log(message):
    print(f"postgis_job: {message}", file=sys.stderr, flush=True)


class ThrowawayCluster:
    """initdb + pg_ctl in a temporary directory. PostgreSQL refuses to run as root, so as root the server runs
    as the postgres user; clients connect over the Unix socket in that directory, which is not reachable by TCP.
    Durability settings are off: the data is discarded, and this only makes PostGIS faster (a conservative
    comparison for Coverage Atlas)."""

    SETTINGS = {
        "listen_addresses": "''", "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
        "wal_level": "minimal", "max_wal_senders": "0", "max_wal_size": "4GB", "checkpoint_timeout": "1h",
        "shared_buffers": "512MB", "maintenance_work_mem": "512MB", "work_mem": "64MB",
        "autovacuum": "off", "jit": "off",
    }

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="coverage-atlas-postgis-")
        self.data = os.path.join(self.dir, "data")
        self.started = False
        self.user = None
        if os.geteuid() == 0:
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def run(self, *cmd):
        full = (["runuser", "-u", self.user, "--"] if self.user else []) + [os.path.join(PG_BIN, cmd[0]), *cmd[1:]]
        r = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(full)} failed ({r.returncode}):\n{r.stdout.strip()[:1000]}")

    def start(self):
        self.run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale",
                 "--no-sync")
        options = " ".join(f"-c {k}={v}" for k, v in self.SETTINGS.items())
        self.started = True
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w", "-s",
                 "-o", f"{options} -c unix_socket_directories={self.dir}", "start")
        self.raise_priority()
        return f"host={self.dir} port=5432 user=postgres"

    def raise_priority(self):
        """The postmaster starts a session of its own: when the bench runs at high priority, so does the server
        (its backends share the postmaster's autogroup), or the comparison would favour Coverage Atlas."""
        pid = self.postmaster_pid()
        if os.environ.get("ATLAS_BENCH_PRIORITY") != "1" or pid is None:
            return
        try:
            with open(f"/proc/{pid}/autogroup", "w") as f:
                f.write("-20")
        except OSError as e:
            print(f"postgis_job: could not raise the server's priority: {e}", file=sys.stderr)

    def postmaster_pid(self):
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def stop(self):
        try:
            if self.started:
                self.run("pg_ctl", "-D", self.data, "-w", "-s", "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class PeakMemory(threading.Thread):
    """Samples the summed PSS (shared pages split between the processes that map them, so shared_buffers is
    counted once) of the given root processes and all their descendants."""

    def __init__(self, roots):
        super().__init__(daemon=True)
        self.roots = roots
        self.peak_kb = 0
        self.done = threading.Event()

    def sample(self):
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    pass
        wanted = {pid for pid in self.roots() if pid}
        grew = True
        while grew:
            more = {pid for pid, ppid in parents.items() if ppid in wanted} - wanted
            wanted |= more
            grew = bool(more)
        total = 0
        for pid in wanted:
            try:
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    total += next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
            except (OSError, StopIteration):
                pass
        self.peak_kb = max(self.peak_kb, total)

    def run(self):
        # ~10 ms of CPU per sample (all of /proc, the server's page tables): every 0.5 s costs ~2 % of a core.
        while not self.done.wait(0.5):
            self.sample()


def connect(dsn, dbname):
    conn = psycopg2.connect(f"{dsn} dbname={dbname}")
    conn.autocommit = True
    return conn


loaders = set()  # running ogr2ogr processes, killed when the job fails or is terminated


def load(dsn, table, path):
    """ogr2ogr appends one GeoJSON file to a table made beforehand, in one transaction. It keeps only the
    properties the table has columns for; COPY must be asked for, as ogr2ogr INSERTs row by row when appending."""
    cmd = ["ogr2ogr", "--config", "PG_USE_COPY", "YES", "-gt", "unlimited", "-append", "-nln", table,
           "-f", "PostgreSQL", f"PG:{dsn} dbname={DB}", path]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as child:
        loaders.add(child)
        output = child.communicate()[0]
        loaders.discard(child)
    if child.returncode != 0 or "ERROR" in output:
        raise RuntimeError(f"loading {path} into table {table} failed ({child.returncode}):\n{output.strip()[:1000]}")


def run_all(jobs, task, items):
    """task(item) for every item, jobs at a time; on the first failure (or SIGTERM) the queued items are dropped
    and the running loaders killed rather than waited for."""
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        list(pool.map(task, items))
    except BaseException:
        for child in list(loaders):
            child.kill()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def cpu_seconds(pid, children):
    """User + system CPU seconds of a process (and of its exited, waited-for children if asked), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(v) for v in fields[11:15 if children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds(postmaster):
    """The server's CPU so far: the postmaster with its exited backends and parallel workers, plus the live
    processes (checkpointer, writers, open sessions)."""
    live = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == postmaster:
                        live += cpu_seconds(entry, False)
            except (OSError, IndexError, ValueError):
                pass
    return cpu_seconds(postmaster, True) + live


def main():
    cluster = None if args.dsn else ThrowawayCluster()
    # SIGTERM (e.g. the bench timing out) must still stop the server and remove its directory.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("postgis_job: terminated"))
    memory = PeakMemory(lambda: [os.getpid(), cluster.postmaster_pid() if cluster else None])
    memory.start()
    times = {}
    created = False
    admin = None
    try:
        # Not part of the job: an analyst's server and PostGIS database already exist.
        t = time.perf_counter()
        dsn = cluster.start() if cluster else args.dsn
        admin = connect(dsn, "postgres")
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DB}")
        created = True
        conn = connect(dsn, DB)
        with conn.cursor() as cur:
            cur.execute("CREATE EXTENSION postgis")
            # Plain "geometry" columns: Polygon and MultiPolygon features share a table. households is double
            # precision so that any numeric value compares as in GeoPandas; NULL >= n is not eligible there either.
            cur.execute("CREATE TABLE settlements (households double precision, geom geometry)")
            cur.execute("CREATE TABLE mobile (tech text, geom geometry)")
            cur.execute("CREATE TABLE broadband (geom geometry)")
        times["setup"] = time.perf_counter() - t

        t = time.perf_counter()
        files = [("settlements", args.settlements)]
        files += [("mobile", p) for p in args.mobile]
        files += [("broadband", p) for p in args.broadband]
        files.sort(key=lambda f: -os.path.getsize(f[1]))  # largest first: the pool ends evenly
        run_all(args.jobs, lambda f: load(dsn, *f), files)
        times["load"] = time.perf_counter() - t

        t = time.perf_counter()

        def index(table):
            # Only the polygons need an index: the query probes them once per settlement point.
            c = connect(dsn, DB)
            with c.cursor() as cur:
                if table != "settlements":
                    cur.execute(f"CREATE INDEX {table}_geom ON {table} USING gist (geom)")
                cur.execute(f"ANALYZE {table}")
            c.close()

        run_all(args.jobs, index, ["mobile", "broadband", "settlements"])
        times["index"] = time.perf_counter() - t

        t = time.perf_counter()
        techs = sorted({s.strip().upper() for s in args.mobile_tech.split(",")})
        with conn.cursor() as cur:
            # The probes are spread over --jobs processes (the leader and its workers) at every size: by
            # default PostgreSQL does not start parallel workers for a table this small.
            cur.execute("SET max_parallel_workers_per_gather = %s", (max(args.jobs - 1, 0),))
            cur.execute("SET parallel_setup_cost = 0")
            cur.execute("SET parallel_tuple_cost = 0")
            cur.execute("SET min_parallel_table_scan_size = 0")
            eligible = "FROM settlements s WHERE s.households >= %(min)s"
            cur.execute("SELECT count(*), count(households) FROM settlements")
            rows, with_households = cur.fetchone()
            if rows and not with_households:
                raise RuntimeError(
                    f"{args.settlements}: none of the {rows} features has a numeric 'households' property")
            cur.execute(f"SELECT count(*) {eligible}", {"min": args.min_households})
            n = cur.fetchone()[0]
            # Semi-joins (EXISTS): a settlement counts once however many polygons cover it, the count of
            # DISTINCT settlements in the join; coalesce as fillna("4G") in geopandas_job.py.
            cur.execute(f"""SELECT count(*) {eligible} AND EXISTS (SELECT 1 FROM mobile m WHERE
                              ST_Intersects(m.geom, s.geom) AND upper(coalesce(m.tech, '4G')) = ANY (%(techs)s))""",
                        {"min": args.min_households, "techs": techs})
            m = cur.fetchone()[0]
            cur.execute(f"""SELECT count(*) {eligible} AND EXISTS (SELECT 1 FROM broadband b
                              WHERE ST_Intersects(b.geom, s.geom))""", {"min": args.min_households})
            b = cur.fetchone()[0]
        conn.close()
        times["query"] = time.perf_counter() - t
        times["job"] = times["load"] + times["index"] + times["query"]
        if cluster:
            times["serverCpu"] = server_cpu_seconds(cluster.postmaster_pid())
    finally:
        try:
            if admin is not None:
                if created:
                    with admin.cursor() as cur:
                        cur.execute(f"DROP DATABASE {DB} WITH (FORCE)")
                admin.close()
        finally:
            memory.sample()
            memory.done.set()
            if cluster:
                cluster.stop()
    own = os.times()
    times["clientCpu"] = own.user + own.system + own.children_user + own.children_system
    times["peakMB"] = memory.peak_kb / 1024
    print(json.dumps({"eligible": n, "mobileCovered": m, "broadbandCovered": b,
                      "mobileRate": m / n if n else None, "broadbandRate": b / n if n else None}), flush=True)
    log(" ".join(f"{k} {v:.2f}{' MB' if k == 'peakMB' else ' s'}" for k, v in times.items()))
    print(json.dumps({k: round(v, 3) for k, v in times.items()}), file=sys.stderr, flush=True)


main()
