#!/usr/bin/env python3
"""Times `sessiongraph analyze` on exports shaped to make per-session work grow with the square
of a session's size, if any such path is left (`make bench-hostile`; BENCHMARKS.md, seventeenth
round). Each case is one session; its records are generated here (deterministic, cached in
bench-data/hostile/, outside git):

  many-networks  one session id on N sign-ins, each from its own network (N branches);
  token-replay   one sign-in whose token is used by M Graph requests, each from its own /24;
  long-names     (--redact) N sign-ins of N users, each with a display name of 10,000 characters:
                 the redaction's automaton grows with the values' total length.
  colliding-agents  2^17 sign-ins, each in its own session, whose user agents are built from 17
                 pairs of 16-byte blocks that differ in three bits: under the multiply-xorshift
                 hash the text tables used before, such values shared one hash for about half of
                 all seeds, and every new value was probed along one chain.
  graph-uri-ids  the benchmark's 2,000-user tenant (`simulate`) with a distinct paging token in
                 every Graph request URI, as real logs name message, item and page ids: nearly
                 as many distinct operations as requests (128,000 instead of 2,477), each a new
                 text value for the vocabulary and a new operation for the detection rules.
                 Timed beside the same tenant without the tokens.

Prints wall time and peak RSS per case. A run that grows with the square of the session would
take minutes here; the tool takes seconds.
"""
import base64, datetime, json, pathlib, random, re, struct, subprocess, sys, time, uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench import tenant as bench_tenant  # noqa: E402  (the same tenant `make bench` times)

ROOT = pathlib.Path(__file__).resolve().parent.parent
BIN = ROOT / ".build/release/sessiongraph"
DATA = ROOT / "bench-data/hostile"
SID = "00aa0001-1111-2222-3333-444455556666"
USER = "a1a1a1a1-0000-4000-8000-000000000001"
APP = "d3590ed6-52b3-4102-aeff-aad2292ab01c"
T0 = datetime.datetime(2026, 3, 2, 8, 0, 0)


def stamp(seconds):
    return (T0 + datetime.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def sign_in(i, request_id, ip, asn, country, interactive, uti=None, device=""):
    row = {"Type": "SigninLogs" if interactive else "AADNonInteractiveUserSignInLogs", "TimeGenerated": stamp(i),
           "CreatedDateTime": stamp(i), "Id": request_id, "SessionId": SID, "UserId": USER,
           "UserPrincipalName": "alice@contoso.example", "IPAddress": ip, "AutonomousSystemNumber": str(asn),
           "IsInteractive": interactive, "DeviceDetail": {"deviceId": device}, "UserAgent": "Mozilla/5.0 (Windows NT 10.0) Edg/120",
           "AppDisplayName": "Microsoft Office", "AppId": APP, "ResultType": "0", "LocationDetails": {"countryOrRegion": country}}
    if uti:
        row["UniqueTokenIdentifier"] = uti
    return row


def token_id(request_id):
    """The unique token identifier that decodes to `request_id` (a .NET GUID's bytes, base64url)."""
    raw = bytearray(uuid.UUID(request_id).bytes)
    raw[0:4], raw[4:6], raw[6:8] = raw[0:4][::-1], raw[4:6][::-1], raw[6:8][::-1]
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


def many_networks(path, count=40000):
    with open(path, "w") as out:
        for i in range(count):
            ip = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
            out.write(json.dumps(sign_in(i, str(uuid.UUID(int=i + 1)), ip, 64512 + i, f"C{i}", i == 0)) + "\n")


def token_replay(path, count=30000):
    request = "11111111-aaaa-4bbb-8ccc-000000000001"
    uti = token_id(request)
    with open(path, "w") as out:
        out.write(json.dumps(sign_in(0, request, "203.0.113.10", 3303, "CH", True, uti=uti, device="dev-laptop")) + "\n")
        for i in range(count):
            out.write(json.dumps({"Type": "MicrosoftGraphActivityLogs", "TimeGenerated": stamp(60 + i), "RequestId": str(uuid.UUID(int=i + 7)),
                                  "SignInActivityId": uti, "SessionId": SID, "UserId": USER, "IPAddress": f"100.{(i >> 8) & 255}.{i & 255}.7",
                                  "RequestMethod": "GET", "RequestUri": "https://graph.microsoft.com/v1.0/me/messages",
                                  "ResponseStatusCode": 200, "UserAgent": "python-requests/2.31", "AppId": APP}) + "\n")


def long_names(path, count=2000):
    letters = "abcdefghij -"
    with open(path, "w") as out:
        for i in range(count):
            row = sign_in(i, str(uuid.UUID(int=i + 1)), f"198.51.{(i >> 8) & 255}.{i & 255}", 3303, "CH", True)
            row["SessionId"] = str(uuid.UUID(int=(1 << 64) + i))
            row["UserId"] = str(uuid.UUID(int=(2 << 64) + i))
            row["UserPrincipalName"] = f"user{i}@contoso.example"
            # Deterministic and distinct: a generator seeded by the row.
            generator = random.Random(i)
            row["UserDisplayName"] = "".join(generator.choice(letters) for _ in range(10000))
            out.write(json.dumps(row) + "\n")


def colliding_agents(path, blocks=17):
    generator = random.Random(3)
    plain = [bytes(generator.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(16)) for _ in range(blocks)]

    def flipped(block):
        # Bit 61 of the first word, bits 61 and 30 of the second: a letter's case twice and a
        # letter made a digit or punctuation, so the value stays ASCII.
        first, second = struct.unpack("<QQ", block)
        return struct.pack("<QQ", first ^ (1 << 61), second ^ (1 << 61) ^ (1 << 30))

    other = [flipped(block) for block in plain]
    with open(path, "w") as out:
        for i in range(1 << blocks):
            row = sign_in(i, str(uuid.UUID(int=i + 1)), f"198.51.{(i >> 8) & 255}.{i & 255}", 3303, "CH", True)
            row["SessionId"] = str(uuid.UUID(int=(1 << 64) + i))
            row["UserAgent"] = b"".join(other[k] if i >> k & 1 else plain[k] for k in range(blocks)).decode("ascii")
            out.write(json.dumps(row) + "\n")


def tenant(folder):
    """The benchmark's tenant as `make bench` generates it (here too, once, when it has not run),
    its exports only: its truth.json is not an export, and --strict would count it as a file
    not recognised."""
    return sorted(bench_tenant(2000, 2).glob("*.ndjson"))


def graph_uri_ids(folder):
    """The benchmark's tenant, each Graph request's URI given a distinct paging token (hex, so it
    cannot spell a word a rule looks for; a query string, so no rule's path segments change).
    The other exports are the tenant's own, linked."""
    if not (folder / ".generated").exists():
        folder.mkdir(parents=True, exist_ok=True)
        source = bench_tenant(2000, 2)
        for name in ("cloudapp.ndjson", "signins.ndjson", "ual.ndjson"):
            (folder / name).unlink(missing_ok=True)
            (folder / name).symlink_to(source / name)
        generator = random.Random(7)
        uri = re.compile(r'("RequestUri":"(?:[^"\\]|\\.)*)"')
        with open(source / "graph.ndjson") as lines, open(folder / "graph.ndjson", "w") as out:
            for line in lines:
                token = "%040x" % generator.getrandbits(160)
                changed, done = uri.subn(lambda m: m.group(1) + ("&" if "?" in m.group(1) else "?") + "$skiptoken=" + token + '"', line, count=1)
                if not done:
                    sys.exit(f"graph-uri-ids: a Graph record without a RequestUri: {line[:200]}")
                out.write(changed)
        (folder / ".generated").touch()
    return [folder]


def rows(generate):
    """A case whose generator writes one file, rows.ndjson, in the case's folder."""
    def inputs(folder):
        if not (folder / ".generated").exists():
            folder.mkdir(parents=True, exist_ok=True)
            generate(folder / "rows.ndjson")
            (folder / ".generated").touch()
        return [folder]
    return inputs


def ndjson_files(paths):
    return [file for path in paths for file in (sorted(path.glob("*.ndjson")) if path.is_dir() else [path])]


def main():
    # Each case gives the paths to analyse, generated once (cached in bench-data/hostile/).
    cases = {"many-networks-40000": (rows(many_networks), []), "token-replay-30000": (rows(token_replay), []),
             "long-names-random-2000": (rows(long_names), ["--redact"]), "colliding-agents-131072": (rows(colliding_agents), []),
             "tenant-2000x2": (tenant, []), "graph-uri-ids-2000x2": (graph_uri_ids, [])}
    for name, (prepare, extra) in cases.items():
        paths = prepare(DATA / name)
        files = ndjson_files(paths)
        # Read once first: this machine drops files from its page cache, and a case timed from
        # the disk is not the case timed from memory.
        for path in files:
            with open(path, "rb") as warm:
                while warm.read(1 << 24):
                    pass
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-v", str(BIN), "analyze"] + [str(path) for path in paths]
                              + ["--out", str(DATA / f"out-{name}"), "--quiet", "--strict"] + extra,
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        # --strict: a rejected record (exit 4) would time a smaller session than the case says.
        if proc.returncode not in (0, 3):
            sys.exit(f"{name}: analyze failed ({proc.returncode})\n{proc.stderr[-2000:]}")
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
        records = sum(sum(1 for _ in open(path)) for path in files)
        what = ("records, redacted" if extra else "records of a tenant" if name.endswith("2000x2")
                else "distinct user agents" if name.startswith("colliding") else "records in one session")
        print(f"{name:23} {records:7} {what:22}  {wall:6.2f} s  {rss:5.0f} MB")


if __name__ == "__main__":
    main()
