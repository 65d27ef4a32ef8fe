"""Helpers shared by the table-driven e2e suites: a Lisp program that prints
one numbered line per case (its values as a list, or :ERROR and the condition
type), the comparison of that output with the table, and running a program
file under petrel or a peer Lisp (the peers' answers check the tables)."""
import os
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PETREL = os.environ.get("PETREL_BIN") or str(REPO / "build" / "petrel")
TIMEOUT = 120 if os.environ.get("PETREL_SANITIZE") else 30


def program(prelude, cases):
    """prelude, then for case i the line "i (values...)" or "i (:ERROR type)"."""
    lines = [prelude]
    for i, (form, _) in enumerate(cases):
        lines.append(f'(format t "~D ~S~%" {i} (handler-case (multiple-value-list {form}) '
                     f'(error (c) (list :error (type-of c)))))')
    return "\n".join(lines) + "\n"


def check_output(out, cases):
    """Every case's line must equal its expected text."""
    got = {}
    for line in out.splitlines():
        m = re.match(r"^(\d+) (.*)$", line)
        if m:
            got[int(m.group(1))] = m.group(2)
    bad = [(form, want, got.get(i)) for i, (form, want) in enumerate(cases) if got.get(i) != want]
    assert not bad, "\n".join(f"{f}\n  want {w}\n  got  {g}" for f, w, g in bad) + "\n" + out[-2000:]


def run_file(cmd, text, tmp_path, timeout):
    """Writes text to a file, runs cmd + [file]; (returncode, stdout, stderr)."""
    src = tmp_path / "prog.lisp"
    src.write_text(text)
    proc = subprocess.run(cmd + [str(src)], capture_output=True, timeout=timeout)
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode()


def sbcl_stdout(path, timeout=120):
    """What `sbcl --script path` prints (the oracle for the case tables)."""
    proc = subprocess.run(["sbcl", "--script", str(path)], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, timeout=timeout)
    return proc.stdout.decode()


def check_program_on_petrel(program, expected, tmp_path):
    """`petrel --script` of program prints exactly expected, cleanly."""
    rc, out, err = run_file([PETREL, "--script"], program, tmp_path, TIMEOUT)
    assert "Sanitizer" not in err and "runtime error:" not in err, err
    assert rc == 0, err
    assert out == expected


def check_program_on_sbcl(program, expected, tmp_path):
    """SBCL prints the same for program (the expectations are portable CL)."""
    rc, out, err = run_file(["sbcl", "--script"], program, tmp_path, TIMEOUT)
    assert out == expected
