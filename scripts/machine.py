"""What the benchmark reports say about the machine and the code they measured. Standard library only."""
import platform
import re
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def git_commit(root=REPOSITORY):
    try:
        return subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def lgmcl_build(executable):
    """The commit an lgmcl-dist executable says it was built from (`info`'s rank line: the first 12
    digits, '-dirty' with uncommitted changes); 'unknown' when it cannot say."""
    try:
        info = subprocess.run([str(executable), "info"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    match = re.search(r"; lgmcl \S+ (\S+) built for ", info)
    return match.group(1) if match else "unknown"


def write_report(output, lines, marker="## Reading these numbers"):
    """Writes a generated page, keeping the hand-written part of the existing one (from `marker` on),
    under a temporary name first."""
    output = Path(output)
    previous = output.read_text() if output.exists() else ""
    if marker in previous:
        lines = lines + [previous[previous.index(marker):].rstrip("\n"), ""]
    temporary = output.with_name(output.name + ".tmp")
    temporary.write_text("\n".join(lines))
    temporary.rename(output)
