#!/usr/bin/env python3
"""Server CPU per request of one `gatehouse serve`, per scenario, over a fixed number of requests.

For finding where the time goes, not a benchmark (that is `scripts/bench`). The server (a release
build) runs alone; each scenario is warmed up, then a fixed number of requests is sent on a few
keep-alive connections, and the server's user + system CPU time (`/proc/PID/stat`, all threads)
over them is divided by the requests. `--perf` also samples the server with `perf record -e
cpu-clock` during each measured phase (`perf report -i DIR/SCENARIO.perf`).

Instruction counts would be steadier on a shared machine, but this machine kind has neither
hardware counters for `perf stat -e instructions` (a VM) nor a valgrind that survives Swift 6.3's
`lib_FoundationICU.so` (3.19 crashes reading it): run each scenario a few times (`--rounds`) and
take the lowest figure. Seed first:

    Benchmarks/.build/release/gatehouse-load seed --database sqlite:/tmp/p/db.sqlite --output /tmp/p/seed.json
    Benchmarks/cpu-per-request.py --binary Benchmarks/.build/release/gatehouse --database sqlite:/tmp/p/db.sqlite \\
        --seed /tmp/p/seed.json --requests 20000
"""
import argparse, base64, http.client, json, os, re, socket, subprocess, sys, threading, time, urllib.parse

VERIFIER = "gatehouse-bench-pkce-verifier-0123456789abcdefghijklmnopqrstuvwxyz"
CHALLENGE = "iquRPI8i45-Kdk1lP8o_ACzqa_vRJBw07sqdWq4MOGI"
REDIRECT = "http://127.0.0.1:9/cb"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Scenario:
    def __init__(self, seed, name):
        self.seed, self.name = seed, name
        self.lock = threading.Lock()
        self.items = list(seed["items"].get({"refresh_token": "refresh_token"}.get(name, name), []))

    def next_item(self):
        with self.lock:
            return self.items.pop() if self.items else None

    def flow(self, conn):
        """Sends one flow; returns the number of requests it made."""
        s, c = self.seed, self.seed["clients"]
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.name == "healthz":
            return self.send(conn, "GET", "/healthz", None, {}, 200)
        if self.name in ("client_credentials", "client_credentials_jwt"):
            client = c["bench" if self.name == "client_credentials" else "bench-jwt"]
            return self.send(conn, "POST", "/oauth2/token", "grant_type=client_credentials&scope=read",
                             {**form, "Authorization": client["authorization"]}, 200)
        if self.name == "refresh_token":
            item = self.next_item()
            if item is None:
                raise SystemExit("out of refresh tokens: seed more")
            return self.send(conn, "POST", "/oauth2/token", f"grant_type=refresh_token&refresh_token={item}",
                             {**form, "Authorization": c["bench-web"]["authorization"]}, 200)
        if self.name == "code_flow":
            client = c["bench-web"]
            query = urllib.parse.urlencode({"response_type": "code", "client_id": client["id"], "redirect_uri": REDIRECT,
                                            "scope": "profile read", "state": "s", "code_challenge": CHALLENGE,
                                            "code_challenge_method": "S256"})
            response = self.request(conn, "GET", "/oauth2/authorize?" + query, None,
                                    {"Cookie": "gatehouse_session=" + s["sessionCookie"]}, 302)
            code = urllib.parse.parse_qs(urllib.parse.urlparse(response.getheader("Location")).query)["code"][0]
            body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
                                           "code_verifier": VERIFIER})
            self.send(conn, "POST", "/oauth2/token", body, {**form, "Authorization": client["authorization"]}, 200)
            return 2
        raise SystemExit(f"unknown scenario {self.name}")

    def request(self, conn, method, path, body, headers, status):
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != status:
            raise SystemExit(f"{self.name}: {method} {path} gave {response.status}: {data[:300]!r}")
        return response

    def send(self, conn, method, path, body, headers, status):
        self.request(conn, method, path, body, headers, status)
        return 1


def drive(port, scenario, requests, connections):
    counts = [0] * connections
    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while sum(counts) < requests:
            counts[index] += scenario.flow(conn)
        conn.close()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads: t.start()
    for t in threads: t.join()
    return sum(counts)


def cpu_ms(pid):
    """utime + stime of the process, all threads, in milliseconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--database", required=True)
    p.add_argument("--seed", required=True)
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--warmup", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--scenarios", default="healthz,client_credentials,refresh_token,code_flow")
    p.add_argument("--perf", action="store_true")
    p.add_argument("--out", default="/tmp/gatehouse-profile")
    args = p.parse_args()
    seed = json.load(open(args.seed))
    os.makedirs(args.out, exist_ok=True)
    port = free_port()
    server = subprocess.Popen(
        [args.binary, "serve", "--database", args.database, "--host", "127.0.0.1", "--port", str(port),
         "--issuer", f"http://127.0.0.1:{port}"],
        stdout=open(os.path.join(args.out, "server.log"), "w"), stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        results = {}
        for name in args.scenarios.split(","):
            scenario = Scenario(seed, name)
            drive(port, scenario, args.warmup, args.connections)
            figures = []
            for round in range(args.rounds):
                perf = None
                if args.perf and round == 0:
                    perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000", "-g", "-p", str(server.pid),
                                             "-o", os.path.join(args.out, f"{name}.perf")], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
                    time.sleep(0.5)
                before = cpu_ms(server.pid)
                start = time.monotonic()
                sent = drive(port, scenario, args.requests, args.connections)
                used = cpu_ms(server.pid) - before
                seconds = time.monotonic() - start
                if perf:
                    perf.send_signal(2)
                    perf.wait()
                figures.append(used / sent)
                print(f"  {name} round {round + 1}: {sent} requests, {used / sent:.4f} ms CPU/request, "
                      f"{sent / seconds:.0f} req/s (one Python client)", flush=True)
            results[name] = min(figures)
            print(f"{name}: {results[name]:.4f} ms server CPU per request (lowest of {args.rounds})", flush=True)
        base = results.get("healthz")
        if base:
            print("relative to /healthz: " + ", ".join(f"{k} {v / base:.2f}x" for k, v in results.items()))
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
