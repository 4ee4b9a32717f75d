"""Run pip-audit and say plainly whether the dependencies were audited at all.

pip-audit exits 0 when it cannot look a dependency up (it skips it), so on a machine that cannot reach
the vulnerability service it would report "no known vulnerabilities" without having checked anything.
This prints how many dependencies were really checked. A known vulnerability fails. An audit that
checked nothing fails too when the vulnerability service answers (then the skipping is a fault, not the
network); where the service cannot be reached it says NOT AUDITED in plain words, and with
HAVEN_AUDIT_STRICT=1 (a machine that must audit) it fails there as well.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

# The service pip-audit asks by default (PyPI's vulnerability data in its JSON API).
SERVICE_PROBE_URL = "https://pypi.org/pypi/pip/json"


def service_reachable(url: str = SERVICE_PROBE_URL, timeout: float = 10) -> bool:
    """One small request: does the vulnerability service answer with its JSON?"""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  # nosec B310 - a fixed https URL
            return response.status == 200 and "vulnerabilities" in json.loads(response.read(2_000_000))
    except (OSError, ValueError):
        return False


def version_url(dependency: dict) -> str:
    """The address pip-audit asks about one dependency: a mirror may answer a project's page but not this."""
    version = dependency.get("version")
    if not version:  # pip-audit names the version of a skipped dependency in its reason only: "... (1.2.3)"
        found = re.search(r"\(([^()\s]+)\)\s*$", dependency.get("skip_reason", ""))
        version = found.group(1) if found else ""
    if not version:
        return f"https://pypi.org/pypi/{dependency['name']}/json"
    return f"https://pypi.org/pypi/{dependency['name']}/{version}/json"


def verdict(report: dict, *, reachable=service_reachable, strict: bool = False) -> tuple[int, list[str]]:
    """The exit code and the lines to print for a pip-audit JSON report."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    checked = len(dependencies) - len(skipped)
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            lines.append(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    lines.append(f"pip-audit: {checked} of {len(dependencies)} dependencies checked, {len(vulnerable)} vulnerable")
    if vulnerable:
        return 1, lines
    if skipped and checked:
        names = ", ".join(sorted(d["name"] for d in skipped))
        lines.append(f"pip-audit: not checked: {names}")
    if not dependencies or checked:
        return 0, lines
    # Asked the way pip-audit asked, about a dependency it skipped: only then is the skipping a fault.
    if reachable(version_url(skipped[0])):
        lines.append(
            "pip-audit: NOTHING was audited although the vulnerability service answers: this is a fault, "
            "not the network. Failing."
        )
        return 1, lines
    lines.append(
        "pip-audit: NOT AUDITED. The vulnerability service cannot be reached from this machine, so no "
        "dependency was checked. Run `make audit` where it can be reached."
    )
    return (1 if strict else 0), lines


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "report.json"
        completed = subprocess.run(  # noqa: S603 - a fixed command, no user input
            [str(pip_audit), "--skip-editable", "--progress-spinner", "off", "--format", "json", "-o", report_path],
            check=False,
        )
        if not report_path.exists():
            print("pip-audit did not run", file=sys.stderr)
            return completed.returncode or 1
        report = json.loads(report_path.read_text())
    code, lines = verdict(report, strict=os.environ.get("HAVEN_AUDIT_STRICT") == "1")
    for line in lines:
        print(line)
    return code


if __name__ == "__main__":
    sys.exit(main())
