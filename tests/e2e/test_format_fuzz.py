"""Robustness of FORMAT (CLHS 22.3) against garbage control strings: random
strings built from directive characters, parameters (numbers, 'c, V, #) and
modifiers, with unbalanced brackets and separators, run against a mixed
argument list.  Each must either print or signal an ERROR (a FORMAT-ERROR,
TYPE-ERROR ...) that HANDLER-CASE catches: never crash the process, never
hang, never escape as a non-error condition.

The generator is seeded (SEEDS), so a failure reproduces; the offending
control string is in the assertion message.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_format_fuzz.py
"""
import random

import pytest

from test_cli import run, script

SEEDS = [1, 2, 3, 4]
CASES_PER_SEED = 2000
DIRECTIVES = list("ASWDBOXRCP%&|~TFEG$*?^[]{}()<>;_I") + ["\n", "/pprint-fill/", "/cl-user::nope/",
                                                          "/pprint-linear/", "/pprint-tabular/"]
ARGS = ('1 -7 3.5 -0.25d0 "str" "~A~" #\\a #\\Space nil t (quote foo) :kw (quote (1 2 3)) '
        '(quote ((a 1) (b 2))) (quote (x . y)) (vector 1 2) 1234567 (quote ("~D" 5)) 0')


def random_param(rng):
    return rng.choice(["", "", "", str(rng.randint(0, 12)), str(-rng.randint(0, 3)),
                       "'" + rng.choice("x*0 ,~"), "v", "V", "#", "+3"])


def random_directive(rng):
    params = ",".join(random_param(rng) for _ in range(rng.randint(0, 4)))
    mods = rng.choice(["", "", ":", "@", ":@", "@:", "::"])
    return "~" + params + mods + rng.choice(DIRECTIVES)


def random_control(rng):
    parts = []
    for _ in range(rng.randint(1, 10)):
        if rng.random() < 0.3:
            parts.append(rng.choice(["a", "b c", "x", " ", "~", "(", "]", "\n"]))
        else:
            parts.append(random_directive(rng))
    return "".join(parts)


def lisp_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def program(controls, pretty=False):
    lines = ["(defvar *fz-args* (list %s))" % ARGS]
    if pretty:   # logical blocks, ~_ ~I ~:T and the dispatch table take part
        lines.append("(setq *print-pretty* t *print-right-margin* 20 *print-length* 5)")
    for i, c in enumerate(controls):
        lines.append('(format t "~D ~A~%%" %d (handler-case (progn (apply (function format) nil %s *fz-args*) :ok)'
                     ' (error () :error)))' % (i, lisp_string(c)))
    lines.append('(format t "DONE~%")')
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("pretty", [False, True])
def test_random_control_strings_print_or_signal(tmp_path, seed, pretty):
    rng = random.Random(seed)
    controls = [random_control(rng) for _ in range(CASES_PER_SEED)]
    r = run(["--script", script(tmp_path, program(controls, pretty))], timeout=120, torture=False)
    lines = r.out.splitlines()
    assert r.rc == 0 and lines and lines[-1] == "DONE", (
        f"petrel died (rc {r.rc}) after {len(lines)} lines; next control string: "
        f"{controls[min(len(lines), len(controls) - 1)]!r}\n{r.err[-2000:]}")
    results = [l.split(" ", 1)[1] for l in lines[:-1] if " " in l]
    assert len(results) == len(controls)
    assert all(x in ("OK", "ERROR") for x in results)
    # the generator is not degenerate: both outcomes occur
    assert "OK" in results and "ERROR" in results


def test_errors_are_format_errors_with_position(tmp_path):
    """A malformed control string signals PETREL-EXT:FORMAT-ERROR, an ERROR
    whose message shows the control string and the position."""
    prog = ('(handler-case (format nil "abc~Qdef") '
            '(error (c) (format t "~A~%~A~%" (typep c (quote petrel-ext:format-error)) c)))\n')
    r = run(["--script", script(tmp_path, prog)])
    assert r.out.splitlines()[0] == "T"
    assert "position 3" in r.out and "abc~Qdef" in r.out
