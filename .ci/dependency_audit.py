"""Run pip-audit and say plainly whether the dependencies were audited at all.

pip-audit exits 0 when it cannot look a dependency up (it skips it), so on a machine that cannot reach
the vulnerability service it would report "no known vulnerabilities" without having checked anything.
This prints how many dependencies were really checked; a known vulnerability fails, as does an audit that
checked nothing when HAVEN_AUDIT_STRICT=1 (set it where the service is reachable).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


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
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    checked = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    print(f"pip-audit: {checked} of {len(dependencies)} dependencies checked, {len(vulnerable)} vulnerable")
    if vulnerable:
        return 1
    if dependencies and not checked:
        print("pip-audit: the vulnerability service could not be reached, so NOTHING was audited.")
        if os.environ.get("HAVEN_AUDIT_STRICT") == "1":
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
