"""The fly stand-in's other commands: releases, machines, status, restart, scale and deploy.

`python -m warroom.demo.fakefly releases|machine list|machine restart|status|apps restart|
scale count|scale vm|deploy|ssh console …`, answering the way flyctl does for the runbooks
and emergency commands. The JSON keeps to the keys the project relies on (see
`/work/shared/fly-logs.md`), spelled as flyctl spells them:

- `releases --json [--image] --app APP`: a list, newest first, of `{"Version": int,
  "Status": "complete", "Description": str, "User": {"Email": str}, "CreatedAt": RFC 3339,
  "ImageRef": str}` (flyctl's Go field names; `--image` adds the DOCKER IMAGE column to
  the table and changes nothing in the JSON).
- `machine list --json --app APP`: a list of `{"id", "name", "state", "region",
  "image_ref": {"registry", "repository", "tag"}, "checks": [{"name", "status"}],
  "created_at", "updated_at"}`; check status is `passing`, or `critical` while the scenario
  has the app's service down.
- `status --json --app APP`: `{"ID", "Name", "Status", "Deployed", "Hostname", "Version",
  "Machines": [as machine list]}`.

Without `--json` each prints a plain table as flyctl does. The fleet each app starts with
follows `scenario`: four releases, the newest one deployed a minute before the outage began.

Environment variables for tests and the demo:
- `WARROOM_FAKEFLY_STATE`: a JSON file in which deploys and scaling are kept between runs
  (without it every run starts from the scripted fleet and keeps nothing);
- `WARROOM_FAKEFLY_EXIT=N`: after printing, say so on stderr and exit N (a failing flyctl);
- `WARROOM_FAKEFLY_HANG=1`: after printing, hang until killed; `=stubborn` ignores SIGTERM;
- `WARROOM_FAKEFLY_HOSTILE=1`: after printing, print a line of escapes and markup.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from warroom.demo import scenario

STATE_VARIABLE = "WARROOM_FAKEFLY_STATE"
EXIT_VARIABLE = "WARROOM_FAKEFLY_EXIT"
HANG_VARIABLE = "WARROOM_FAKEFLY_HANG"
HOSTILE_VARIABLE = "WARROOM_FAKEFLY_HOSTILE"
HOSTILE_OUTPUT = (
    "\x1b]0;pwned\x07\x1b[2J[bold red]not markup[/bold red] \x1b[31mred\x1b[0m [link=x]y[/link]\n"
)
"""What a hostile or broken flyctl could print: a title change, a screen clear, markup."""
DEPLOYER = "ops@slurpy.dev"
REGIONS = ("iad", "ord", "fra")

App = dict[str, Any]
"""One app as the stand-in keeps it: `releases` (newest first), `machines`, `size`."""


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch() -> datetime:
    try:
        return datetime.fromtimestamp(float(os.environ["WARROOM_DEMO_EPOCH"]), UTC)
    except (KeyError, ValueError):
        return datetime.now(UTC)


def _ids(app: str, count: int) -> list[str]:
    # The same per-app ids `fly logs` prints for its first machines.
    rng = random.Random(app)
    return [f"{rng.getrandbits(56):014x}" for _ in range(count)]


def scripted_app(app: str) -> App:
    """The fleet an app starts with: releases v1–v4 (v4 deployed just before the outage)."""
    epoch = _epoch()
    ages = (timedelta(days=30), timedelta(days=9), timedelta(days=2), timedelta(minutes=1))
    rng = random.Random(f"{app}/releases")
    releases = [
        {
            "Version": version,
            "Status": "complete",
            "Description": "Release",
            "User": {"Email": DEPLOYER},
            "CreatedAt": _stamp(epoch - age),
            "ImageRef": f"registry.fly.io/{app}:deployment-{rng.getrandbits(64):016X}",
        }
        for version, age in enumerate(ages, start=1)
    ]
    return {"releases": releases[::-1], "machines": 2, "size": "shared-cpu-1x"}


class Fleet:
    """Every app's releases and machines, kept in the state file when there is one."""

    def __init__(self, path: Path | None = None) -> None:
        """The fleet in `path`, else in the file `WARROOM_FAKEFLY_STATE` names, if any."""
        named = os.environ.get(STATE_VARIABLE)
        self.path = path or (Path(named) if named else None)
        self.apps: dict[str, App] = {}
        if self.path is not None and self.path.is_file():
            self.apps = json.loads(self.path.read_text(encoding="utf-8"))

    def app(self, name: str) -> App:
        return self.apps.setdefault(name, scripted_app(name))

    def save(self) -> None:
        if self.path is None:
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps(self.apps, indent=2), encoding="utf-8")
        os.replace(temporary, self.path)


def bad_release_running(fleet: Fleet) -> bool:
    """Whether the backend still runs the scripted release that causes the outage: any
    other image deployed (a rollback) ends it."""
    bad = scripted_app(scenario.BAD_RELEASE_APP)["releases"][0]["ImageRef"]
    return bool(fleet.app(scenario.BAD_RELEASE_APP)["releases"][0]["ImageRef"] == bad)


def machines(fleet: Fleet, name: str) -> list[dict[str, Any]]:
    """The app's machines as `fly machine list --json` prints them."""
    app, bad_release = fleet.app(name), bad_release_running(fleet)
    elapsed = time.time() - _epoch().timestamp()
    service = next((s for s, fly in scenario.FLY_APPS.items() if fly == name), "")
    mood = scenario.service_mood(service, elapsed, bad_release=bad_release) if service else "up"
    down = mood == "down"
    image = str(app["releases"][0]["ImageRef"])
    repository, _, tag = image.removeprefix("registry.fly.io/").partition(":")
    created = _stamp(_epoch() - timedelta(days=30))
    return [
        {
            "id": machine_id,
            "name": f"{name}-{index}",
            "state": "started",
            "region": REGIONS[index % len(REGIONS)],
            "image_ref": {"registry": "registry.fly.io", "repository": repository, "tag": tag},
            "checks": [
                {"name": "servicecheck-00-http-8080", "status": "critical" if down else "passing"}
            ],
            "created_at": created,
            "updated_at": str(app["releases"][0]["CreatedAt"]),
        }
        for index, machine_id in enumerate(_ids(name, int(app["machines"])))
    ]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join(
        "\t".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + "\t\n"
        for row in rows
    )


def _age(created: str) -> str:
    seconds = (datetime.now(UTC) - datetime.fromisoformat(created)).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return f"{max(int(seconds), 0)}s ago"


def releases(fleet: Fleet, args: argparse.Namespace) -> str:
    listed = fleet.app(args.app)["releases"]
    if args.json:
        return json.dumps(listed, indent=2) + "\n"
    header = ["VERSION", "STATUS", "DESCRIPTION", "USER", "DATE"]
    rows = [header + (["DOCKER IMAGE"] if args.image else [])]
    for release in listed:
        row = [f"v{release['Version']}", release["Status"], release["Description"]]
        row += [release["User"]["Email"], _age(release["CreatedAt"])]
        rows.append(row + ([release["ImageRef"]] if args.image else []))
    return _table(rows)


def machine_list(fleet: Fleet, args: argparse.Namespace) -> str:
    listed = machines(fleet, args.app)
    if args.json:
        return json.dumps(listed, indent=2) + "\n"
    if args.quiet:
        return "".join(f"{machine['id']}\n" for machine in listed)
    rows = [["ID", "NAME", "STATE", "CHECKS", "REGION", "UPDATED"]]
    for machine in listed:
        passing = sum(check["status"] == "passing" for check in machine["checks"])
        checks = f"{passing}/{len(machine['checks'])}"
        rows.append([machine["id"], machine["name"], machine["state"], checks])
        rows[-1] += [machine["region"], machine["updated_at"]]
    return f"{len(listed)} machines have been retrieved from app {args.app}.\n" + _table(rows)


def status(fleet: Fleet, args: argparse.Namespace) -> str:
    app = fleet.app(args.app)
    listed = machines(fleet, args.app)
    version = int(app["releases"][0]["Version"])
    if args.json:
        answer = {
            "ID": args.app,
            "Name": args.app,
            "Status": "deployed",
            "Deployed": True,
            "Hostname": f"{args.app}.fly.dev",
            "Version": version,
            "Machines": listed,
        }
        return json.dumps(answer, indent=2) + "\n"
    image = str(app["releases"][0]["ImageRef"]).removeprefix("registry.fly.io/")
    head = f"App\n  Name     = {args.app}\n  Owner    = personal\n"
    head += f"  Hostname = {args.app}.fly.dev\n  Image    = {image}\n  Platform = machines\n\n"
    rows = [["PROCESS", "ID", "VERSION", "REGION", "STATE", "CHECKS", "LAST UPDATED"]]
    for machine in listed:
        passing = sum(check["status"] == "passing" for check in machine["checks"])
        checks = f"{len(machine['checks'])} total, {passing} passing"
        rows.append(["app", machine["id"], str(version), machine["region"], machine["state"]])
        rows[-1] += [checks, machine["updated_at"]]
    return head + "Machines\n" + _table(rows)


def restart(fleet: Fleet, args: argparse.Namespace) -> str:
    out = ""
    for machine in machines(fleet, args.app):
        out += f"Restarting machine {machine['id']}\n"
        out += f"  Waiting for {machine['id']} to become healthy (started, 1/1)\n"
        out += f"Machine {machine['id']} restarted successfully!\n"
    return out


def machine_restart(fleet: Fleet, args: argparse.Namespace) -> str:
    if args.id not in {machine["id"] for machine in machines(fleet, args.app)}:
        raise _Failure(f"Error: could not get machine {args.id}: machine not found")
    return f"Restarting machine {args.id}\nMachine {args.id} restarted successfully!\n"


def ssh_console(fleet: Fleet, args: argparse.Namespace) -> str:
    machine = machines(fleet, args.app)[0]["id"]
    return f"Connecting to fdaa:0:1::{machine[:4]}... complete\n(simulated: no shell here)\n"


def scale_count(fleet: Fleet, args: argparse.Namespace) -> str:
    if not args.yes:
        raise _Failure("Error: yes flag must be specified when not running interactively")
    app = fleet.app(args.app)
    change = args.count - int(app["machines"])
    app["machines"] = args.count
    fleet.save()
    out = f"App '{args.app}' is going to be scaled according to this plan:\n"
    out += f"  {change:+d} machines for group 'app' on region 'iad' of size '{app['size']}'\n"
    out += "Executing scale plan\n"
    for machine_id in _ids(args.app, args.count)[args.count - max(change, 0) :]:
        out += f"  Created {machine_id} group:app region:iad size:{app['size']}\n"
    return out


def scale_vm(fleet: Fleet, args: argparse.Namespace) -> str:
    fleet.app(args.app)["size"] = args.size
    fleet.save()
    return f"Scaled VM Type to '{args.size}'\n      CPU Cores: 2\n         Memory: 4096 MB\n"


def deploy(fleet: Fleet, args: argparse.Namespace) -> str:
    app = fleet.app(args.app)
    version = int(app["releases"][0]["Version"]) + 1
    release = {
        "Version": version,
        "Status": "complete",
        "Description": "Release",
        "User": {"Email": DEPLOYER},
        "CreatedAt": _stamp(datetime.now(UTC)),
        "ImageRef": args.image,
    }
    app["releases"] = [release, *app["releases"]][:25]  # flyctl lists the newest 25
    fleet.save()
    out = "==> Verifying app config\n--> Verified app config\n==> Building image\n"
    out += f"Searching for image '{args.image}' remotely...\nimage found: {args.image}\n\n"
    out += f"Watch your deployment at https://fly.io/apps/{args.app}/monitoring\n\n"
    out += f"-------\nUpdating existing machines in '{args.app}' with rolling strategy\n\n"
    for machine in machines(fleet, args.app):
        out += f"-------\n ✔ Machine {machine['id']} [app] update succeeded\n"
    out += f"-------\nChecking DNS configuration for {args.app}.fly.dev\n\n"
    return out + f"Visit your newly deployed app at https://{args.app}.fly.dev/\n"


class _Failure(Exception):
    """What flyctl prints on stderr before exiting 1."""


def add_commands(sub: Any) -> None:
    """Register the subcommands on fakefly's parser (`sub` from `add_subparsers`)."""

    def app_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--app", "-a", required=True)

    found = sub.add_parser("releases", help="list an app's releases")
    app_option(found)
    found.add_argument("--json", "-j", action="store_true")
    found.add_argument("--image", action="store_true")
    found.set_defaults(answer=releases)

    machine = sub.add_parser("machine", aliases=["machines", "m"], help="machines")
    machine_commands = machine.add_subparsers(dest="machine_command", required=True)
    listing = machine_commands.add_parser("list", aliases=["ls"])
    app_option(listing)
    listing.add_argument("--json", "-j", action="store_true")
    listing.add_argument("--quiet", "-q", action="store_true")
    listing.set_defaults(answer=machine_list)
    again = machine_commands.add_parser("restart")
    again.add_argument("id")
    app_option(again)
    again.set_defaults(answer=machine_restart)

    ssh = sub.add_parser("ssh").add_subparsers(dest="ssh_command", required=True)
    console = ssh.add_parser("console")
    app_option(console)
    console.set_defaults(answer=ssh_console)

    state = sub.add_parser("status", help="an app's status")
    app_option(state)
    state.add_argument("--json", "-j", action="store_true")
    state.set_defaults(answer=status)

    apps = sub.add_parser("apps", help="apps").add_subparsers(dest="apps_command", required=True)
    again = apps.add_parser("restart")
    again.add_argument("app")
    again.set_defaults(answer=restart)

    scale = sub.add_parser("scale").add_subparsers(dest="scale_command", required=True)
    count = scale.add_parser("count")
    count.add_argument("count", type=int)
    app_option(count)
    count.add_argument("--yes", "-y", action="store_true")
    count.set_defaults(answer=scale_count)
    vm = scale.add_parser("vm")
    vm.add_argument("size")
    app_option(vm)
    vm.set_defaults(answer=scale_vm)

    deploying = sub.add_parser("deploy")
    app_option(deploying)
    deploying.add_argument("--image", "-i", required=True)
    deploying.set_defaults(answer=deploy)


def answer(args: argparse.Namespace) -> int:
    """Print what the command prints, then fail or hang as the environment asks."""
    try:
        sys.stdout.write(args.answer(Fleet(), args))
    except _Failure as failure:
        print(failure, file=sys.stderr)
        return 1
    if os.environ.get(HOSTILE_VARIABLE):
        sys.stdout.write(HOSTILE_OUTPUT)
    sys.stdout.flush()
    hang = os.environ.get(HANG_VARIABLE, "")
    if hang:
        if hang == "stubborn":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            time.sleep(3600)
    code = int(os.environ.get(EXIT_VARIABLE) or 0)
    if code:
        print(f"Error: failed as {EXIT_VARIABLE}={code} asked", file=sys.stderr)
    return code
