#!/usr/bin/env python3
"""Generated inputs for samsa-sim: random *valid* scenarios, and random session scripts run
against them. Each seed gives the same scenario and script under any Python 3 (the draws are
written here, over the Mersenne Twister's raw bits: see Draws), and a failing seed's files are
kept, so a failure reproduces from them too.

A seed fails when samsa-sim crashes or aborts (an invariant), does not finish within the time
limit, or reports a violation that is a bug in every configuration: multiple-leaders,
hw-regression, replica-divergence or metadata-divergence. Other violations (acked-lost with
acks=1, duplicates, liveness in a run too short to recover) are what the random configuration
asks for. Bit flips are always `corruption: minority` (with `any` a flip may destroy every copy).

Usage: python3 scripts/fuzz-inputs.py --seeds A..B [--sim build/release/sim/samsa-sim]
                                      [--kinds scenario,session] [--out DIR] [--timeout SECONDS]
A failing seed's scenario (and script) stay in DIR with the command that reproduces it; the run
exits 1. CI runs a moving window of seeds (.ci/run), as it does for the safety sweeps.
"""
import argparse
import os
import random
import re
import subprocess
import sys

ALWAYS_BUGS = ("multiple-leaders", "hw-regression", "replica-divergence", "metadata-divergence")
FAULT_KINDS = ["crash", "pause", "partition", "one-way", "clog", "latency", "reset", "clock-drift",
               "clock-step", "slow-disk", "disk-full", "disk-errors", "bit-flip"]
TARGETS = ["one", "random", "leaders", "controller", "minority", "majority", "majority-ring", "bridge", "all"]


class Draws:
    """The generators' random draws. random.Random's choice, randint and sample are implementation
    details that a Python version may change (and with them every seed's input); its seeding from
    an int, getrandbits and random() are the Mersenne Twister's own and stay. So the draws are
    made here from those: the same seed gives the same input under any Python 3. They draw as
    CPython 3.11's do for the sizes used here, so the seeds named before this class (in CI logs,
    in issue notes) still give the same inputs."""

    def __init__(self, seed):
        self._mt = random.Random(seed)

    def random(self):
        return self._mt.random()

    def below(self, n):
        """Uniform in [0, n), n > 0: as many bits as n has, drawn again while the value is n or more."""
        bits = n.bit_length()
        while True:
            v = self._mt.getrandbits(bits)
            if v < n:
                return v

    def randint(self, low, high):
        return low + self.below(high - low + 1)

    def choice(self, seq):
        return seq[self.below(len(seq))]

    def sample(self, population, k):
        """k distinct elements, in draw order: each draw takes one of the elements left and moves
        the last of them into its place."""
        pool = list(population)
        out = []
        for i in range(k):
            j = self.below(len(pool) - i)
            out.append(pool[j])
            pool[j] = pool[len(pool) - i - 1]
        return out


def scenario(seed):
    """A random valid scenario (YAML text) and its topics [(name, partitions)]."""
    r = Draws(seed)
    brokers = r.randint(1, 6)
    out = ["name: fuzz-%d" % seed, "seed: %d" % seed, "cluster:", "  brokers: %d" % brokers]
    if r.random() < 0.35:
        out.append("  controller_only: [%s]" % ", ".join(str(100 + i) for i in range(r.choice([1, 3]))))
    elif r.random() < 0.3:
        voters = r.sample(range(1, brokers + 1), r.randint(1, brokers))
        out.append("  controllers: [%s]" % ", ".join(map(str, voters)))
    config = []
    maybe = lambda p, key, values: config.append((key, r.choice(values))) if r.random() < p else None
    maybe(0.5, "min.insync.replicas", [1, 2, 3])
    maybe(0.3, "unclean.leader.election.enable", ["true", "false"])
    maybe(0.4, "broker.session.timeout.ms", ["1500ms", "3s", "9s"])
    maybe(0.3, "replica.lag.time.max.ms", ["500ms", "5s", "30s"])
    maybe(0.2, "log.segment.bytes", [100, 1000, 4096, 65536])
    maybe(0.2, "log.retention.bytes", [-1, 2000, 50000])
    maybe(0.2, "log.retention.ms", ["2s", "10s", "-1"])
    maybe(0.2, "log.retention.check.interval.ms", ["500ms", "2s"])
    maybe(0.2, "log.flush.interval.messages", [1, 10, 1000])
    maybe(0.15, "log.flush.interval.ms", ["50ms", "1s"])
    maybe(0.2, "compression.type", ["producer", "none", "gzip", "snappy", "lz4", "zstd"])
    maybe(0.15, "replica.fetch.max.bytes", [1, 100, 1000])
    maybe(0.15, "replica.fetch.min.bytes", [1, 100, 10000])
    maybe(0.15, "replica.fetch.wait.max.ms", ["0", "10ms", "500ms"])
    maybe(0.15, "message.max.bytes", [61, 200, 1048588])
    maybe(0.15, "auto.leader.rebalance.enable", ["true", "false"])
    maybe(0.1, "leader.imbalance.check.interval.seconds", [1, 5])
    maybe(0.15, "controller.quorum.election.timeout.ms", ["200ms", "1s", "2s"])
    maybe(0.1, "socket.request.max.bytes", [100, 1000, 104857600])
    maybe(0.1, "request.timeout.ms", ["500ms", "5s", "30s"])
    if config:
        out.append("  config:")
        out += ["    %s: %s" % kv for kv in config]
    if r.random() < 0.3:
        out.append("disk: { writeback: %s }" % r.choice(["off", "1s", "5s", "100ms"]))
    if r.random() < 0.2:
        out.append("network: { latency: %s }" % r.choice(["100us", "1ms", "1ms..3ms", "5ms..50ms"]))
    topics = []
    out.append("topics:")
    for t in range(r.randint(1, 3)):
        partitions, rf = r.randint(1, 8), r.randint(1, brokers)
        tc = []
        if r.random() < 0.3: tc.append("min.insync.replicas: %d" % r.randint(1, 3))
        if r.random() < 0.2: tc.append("segment.bytes: %d" % r.choice([200, 5000]))
        if r.random() < 0.2: tc.append("compression.type: %s" % r.choice(["producer", "none", "gzip", "lz4", "zstd", "snappy"]))
        if r.random() < 0.1: tc.append("unclean.leader.election.enable: %s" % r.choice(["true", "false"]))
        if r.random() < 0.1: tc.append("retention.ms: %s" % r.choice(["3s", "-1"]))
        if r.random() < 0.1: tc.append("max.message.bytes: %d" % r.choice([61, 500]))
        extra = ", config: { %s }" % ", ".join(tc) if tc else ""
        out.append("  - { name: t%d, partitions: %d, replication.factor: %d%s }" % (t, partitions, rf, extra))
        topics.append(("t%d" % t, partitions))
    run_for = r.randint(8, 25)
    out += ["workload:", "  producers:"]
    for _ in range(r.randint(1, 3)):
        f = ["topic: %s" % r.choice(topics)[0], "rate_per_s: %d" % r.choice([10, 100, 500, 2000])]
        if r.random() < 0.6: f.append("keys: %s" % r.choice(["null", "1", "20", "1000"]))
        f.append("acks: %s" % r.choice(["0", "1", "all", "-1"]))
        if r.random() < 0.3: f.append("linger.ms: %s" % r.choice(["0", "5", "50ms"]))
        if r.random() < 0.3: f.append("batch.size: %d" % r.choice([0, 1, 100, 16384]))
        if r.random() < 0.2: f.append("retries: %d" % r.choice([0, 3, 2147483647]))
        if r.random() < 0.2: f.append("max.in.flight.requests.per.connection: %d" % r.choice([1, 5, 100]))
        if r.random() < 0.2: f.append("compression.type: %s" % r.choice(["none", "gzip", "snappy", "lz4", "zstd"]))
        if r.random() < 0.2: f.append("request.timeout.ms: %s" % r.choice(["500ms", "5s", "30s"]))
        if r.random() < 0.2: f.append("delivery.timeout.ms: %s" % r.choice(["1s", "10s", "2m"]))
        if r.random() < 0.2: f.append("value_bytes: %d" % r.choice([10, 300, 5000]))
        if r.random() < 0.2: f.append("count: %d" % r.randint(1, 3))
        if r.random() < 0.2: f.append("start: %ds" % r.randint(0, 5))
        if r.random() < 0.15: f.append("stop: %ds" % r.randint(6, run_for))
        if r.random() < 0.2: f.append("retry.backoff.ms: %s" % r.choice(["10ms", "100ms", "2s"]))
        if r.random() < 0.2: f.append("retry.backoff.max.ms: %s" % r.choice(["0", "50ms", "1s", "10s"]))
        out.append("    - { %s }" % ", ".join(f))
    if r.random() < 0.85:
        out.append("  consumers:")
        for _ in range(r.randint(1, 2)):
            topic, partitions = r.choice(topics)
            f = ["topic: %s" % topic, "from: %s" % r.choice(["earliest", "latest", "0", "5"])]
            if r.random() < 0.3:
                chosen = sorted(r.sample(range(partitions), r.randint(1, partitions)))
                f.append("partitions: [%s]" % ", ".join(map(str, chosen)))
            if r.random() < 0.2: f.append("count: %d" % r.randint(1, 2))
            if r.random() < 0.2: f.append("start: %ds" % r.randint(0, 5))
            out.append("    - { %s }" % ", ".join(f))
    if r.random() < 0.8:
        kinds = r.sample(FAULT_KINDS, r.randint(1, 5))
        out.append("nemesis:")
        out.append("  kinds: [%s]" % ", ".join(kinds))
        out.append("  targets: [%s]" % ", ".join(r.sample(TARGETS, r.randint(1, 4))))
        out.append("  every: %s" % r.choice(["1s", "2s", "5s"]))
        out.append("  min_for: %s" % r.choice(["100ms", "1s"]))
        out.append("  max_for: %s" % r.choice(["2s", "5s"]))
        if "bit-flip" in kinds:
            out.append("  corruption: minority")
    out.append("run_for: %ds" % run_for)
    out.append("settle: %ds" % r.choice([0, 5, 10]))
    return "\n".join(out) + "\n", topics


def session_script(seed, topics):
    """Random session commands, valid and not: the session must refuse the bad ones and go on."""
    r = Draws(seed * 7919 + 1)
    topic = topics[0][0]
    parts = lambda: "%s-%d" % (topic, r.choice([0, 1, 9]))
    targets = ["1", "2", "broker-2", "leader-of " + parts(), "followers-of " + parts(), "isr-of " + parts(),
               "leaders", "controller", "all", "minority", "majority-ring", "random", "producer-1001", "9"]
    durations = ["1s", "500ms", "0s", "-1s", "2m", "1.5s", "abc", ""]

    def entry():
        x = r.random()
        if x < 0.12:
            return "{ set-rate: %s, rate: %s }" % (r.choice(["1001", "1002", "7"]), r.choice(["0", "100", "800", "-1", "abc"]))
        if x < 0.22:
            return "{ add-consumer: %s, from: %s }" % (r.choice([topic, "nope"]), r.choice(["latest", "earliest", "5", "x"]))
        if x < 0.30:
            return "{ remove-consumer: %s }" % r.choice(["1002", "1003", "1001", "abc"])
        kind = r.choice(FAULT_KINDS[:12] + ["restart", "resume", "heal", "shutdown", "isolate", "bogus"])
        fields = ["%s: %s" % (kind, r.choice(targets))]
        if r.random() < 0.5: fields.append("for: %s" % r.choice(durations))
        if r.random() < 0.3: fields.append("amount: %s" % r.choice(["1", "10", "0", "-5", "50ms", "x"]))
        return "{ " + ", ".join(fields) + " }"

    commands = []
    for _ in range(r.randint(5, 25)):
        x = r.random()
        if x < 0.30: commands.append("inject " + entry())
        elif x < 0.45: commands.append("run +%s" % r.choice(["1s", "2s", "500ms", "0s", "-1s", "x"]))
        elif x < 0.50: commands.append("run %s" % r.choice(["5s", "20s", "1s", "abc", "100s"]))
        elif x < 0.58: commands.append("step %s" % r.choice(["", "1", "50", "1000", "0", "-3", "x"]))
        elif x < 0.63: commands.append("rewind %s" % r.choice(["0s", "1s", "3s", "10s", "100s", "x"]))
        elif x < 0.68: commands.append("view %s" % r.choice(["", "3", "0", "x"]))
        elif x < 0.71: commands.append("view-json")
        elif x < 0.75: commands.append("events %s" % r.choice(["", "5", "0", "x"]))
        elif x < 0.80: commands.append("log %s %s %s" % (r.choice(["1", "2", "9", "x"]), parts(), r.choice(["", "0", "5", "-1"])))
        elif x < 0.84: commands.append("frames")
        elif x < 0.88: commands.append("hash")
        elif x < 0.91: commands.append("help")
        else: commands.append(r.choice(["", "# a comment", "nonsense 1 2", "inject", "inject {", "log", "rewind"]))
    return "\n".join(commands) + "\n"


def judge(result, timeout, allowed_codes):
    """Why a finished samsa-sim process counts as a failure, or None."""
    if result is None:
        return "did not finish within %d s" % timeout
    text = result.stdout + result.stderr
    if result.returncode < 0:
        return "killed by signal %d" % -result.returncode
    if "invariant violated" in text or "terminate called" in text:
        return next(l for l in text.splitlines() if "invariant" in l or "terminate" in l)
    if result.returncode not in allowed_codes:
        return "exit code %d: %s" % (result.returncode, text.strip().splitlines()[-1] if text.strip() else "")
    bugs = sorted(set(re.findall(r"^VIOLATION (\S+)", text, re.M)) & set(ALWAYS_BUGS))
    if bugs:
        return "violations: " + ", ".join(bugs)
    return None


def run(args, timeout):
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", required=True, help="A..B")
    p.add_argument("--sim", default="build/release/sim/samsa-sim")
    p.add_argument("--kinds", default="scenario,session")
    p.add_argument("--out", default="build/fuzz-inputs")
    p.add_argument("--timeout", type=int, default=300)
    a = p.parse_args()
    m = re.fullmatch(r"(\d+)\.\.(\d+)", a.seeds)
    if not m or int(m.group(1)) > int(m.group(2)):
        p.error("--seeds: expected A..B with A <= B, got %r" % a.seeds)
    kinds = a.kinds.split(",")
    if not set(kinds) <= {"scenario", "session"}:
        p.error("--kinds: scenario, session or both")
    os.makedirs(a.out, exist_ok=True)
    failures = runs = 0
    for seed in range(int(m.group(1)), int(m.group(2)) + 1):
        text, topics = scenario(seed)
        path = os.path.join(a.out, "fuzz-%d.yaml" % seed)
        with open(path, "w") as f:
            f.write(text)
        keep = False
        for kind in kinds:
            runs += 1
            if kind == "scenario":
                cmd = [a.sim, "run", path, "--quiet"]
            else:
                script = os.path.join(a.out, "fuzz-%d.session" % seed)
                with open(script, "w") as f:
                    f.write(session_script(seed, topics))
                cmd = [a.sim, "session", path, "--script", script]
            # run: 0 passed, 1 violations the configuration allows; session: 2 also, when a command
            # was refused (many are meant to be).
            why = judge(run(cmd, a.timeout), a.timeout, (0, 1) if kind == "scenario" else (0, 1, 2))
            if why:
                failures += 1
                keep = True
                print("FAILED seed=%d %s: %s; reproduce: %s" % (seed, kind, why, " ".join(cmd)), flush=True)
            elif kind == "session":
                os.remove(script)
        if not keep:
            os.remove(path)
    print("fuzz-inputs seeds %s (%s): runs=%d failed=%d" % (a.seeds, a.kinds, runs, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
