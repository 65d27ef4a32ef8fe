"""End-to-end tests of the debugger (issue 4 item 2).

An unhandled error in the REPL enters the debugger, whether stdin is a
terminal or a pipe: it prints "debugger invoked on a TYPE: report", the
restarts numbered from 0 (innermost first, the top level's ABORT last), and
a backtrace of the VM frames (function names and arguments), then reads
from the same input: a number invokes that restart interactively, a few
keywords are commands, anything else is evaluated in the dynamic context of
the error and its values printed; end of input returns to the top level
(where a second end of input exits 0).  The debugger's own output goes to
stderr, values to stdout.  --script and --non-interactive never enter it:
they report the condition and a backtrace on stderr and exit 1.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_debugger.py
"""
from test_cli import eval_args, run, script

USE_VALUE_F = ("(defun f (x) (restart-case (error \"bad ~A\" x) "
               "(use-value (v) :report \"Use a value.\" :interactive (lambda () (list (read))) v)))\n")


def test_banner_restarts_and_backtrace():
    """The banner names the condition's type and report, numbers the restarts
    (the top level's ABORT among them) and shows a backtrace with the
    function and its arguments."""
    r = run([], stdin="(defun g (a b) (error \"in g ~A\" (+ a b)))\n(g 1 2)\n")
    assert r.rc == 0, r
    assert "debugger invoked on a SIMPLE-ERROR: in g 3" in r.err, r
    assert "0: [ABORT] Return to top level." in r.err, r
    assert "Backtrace:" in r.err and "(G 1 2)" in r.err, r
    assert "0] " in r.err, r


def test_choose_use_value_restart_by_number():
    """Typing the number of a USE-VALUE restart invokes it interactively: its
    :interactive function reads the value from the same input."""
    r = run([], stdin=USE_VALUE_F + "(list :got (f 1))\n0\n42\n(+ 1 2)\n")
    assert r.rc == 0, r
    assert "0: [USE-VALUE] Use a value." in r.err, r
    assert "1: [ABORT] Return to top level." in r.err, r
    assert r.values[-2:] == ["(:GOT 42)", "3"], r


def test_abort_by_number_returns_to_top_level():
    """Choosing ABORT returns to the top level: the next form runs at the top
    level, not in a nested debugger."""
    r = run([], stdin="(error \"first\")\n0\n(+ 1 2)\n(error \"second\")\n0\n(+ 2 2)\n")
    assert r.rc == 0, r
    assert r.values == ["3", "4"], r
    assert "0[2]" not in r.err, r


def test_abort_command_and_invalid_number():
    """:abort invokes the innermost ABORT; an unknown restart number is
    reported and the debugger reads on."""
    r = run([], stdin="(error \"x\")\n7\n:abort\n(+ 1 2)\n")
    assert r.rc == 0, r
    assert "There is no restart numbered 7" in r.err, r
    assert r.values == ["3"], r


def test_forms_are_evaluated_in_the_dynamic_context_of_the_error():
    """A form typed at the debugger sees the bindings in effect at the error."""
    r = run([], stdin="(defvar *v* 1)\n(let ((*v* 2)) (error \"x\"))\n*v*\n0\n*v*\n")
    assert r.rc == 0, r
    assert r.values == ["*V*", "2", "1"], r


def test_nested_debugger_levels():
    """An error inside the debugger enters a level-2 debugger offering a
    return to level 1; returning there continues at level 1."""
    r = run([], stdin="(error \"outer\")\n(error \"inner\")\n0\n(+ 10 1)\n0\n(+ 20 2)\n")
    assert r.rc == 0, r
    assert "debugger invoked on a SIMPLE-ERROR: inner" in r.err, r
    assert "0: [ABORT] Return to debug level 1." in r.err, r
    assert "1: [ABORT] Return to top level." in r.err, r
    assert "0[2] " in r.err, r
    assert r.values == ["11", "22"], r


def test_end_of_input_in_debugger_returns_to_top_level_and_exits():
    """End of input in the debugger aborts to the top level, whose own end of
    input then exits 0."""
    r = run([], stdin="(error \"x\")\n")
    assert r.rc == 0, r
    assert "debugger invoked on a SIMPLE-ERROR: x" in r.err, r


def test_cerror_continue_restart():
    """CERROR offers CONTINUE with its format as the report; choosing it
    returns NIL from CERROR and the form goes on."""
    r = run([], stdin="(progn (cerror \"Go on with ~A.\" \"oops ~A\" 5) :continued)\n0\n")
    assert r.rc == 0, r
    assert "debugger invoked on a SIMPLE-ERROR: oops 5" in r.err, r
    assert "0: [CONTINUE] Go on with 5." in r.err, r
    assert r.values == [":CONTINUED"], r


def test_break_enters_debugger_and_continues():
    """BREAK enters the debugger with a CONTINUE restart that returns from it."""
    r = run([], stdin="(progn (break \"stop ~A\" 1) :resumed)\n:continue\n")
    assert r.rc == 0, r
    assert "debugger invoked on a SIMPLE-CONDITION: stop 1" in r.err, r
    assert "[CONTINUE] Return from BREAK." in r.err, r
    assert r.values == [":RESUMED"], r


def test_check_type_store_value_restart():
    """CHECK-TYPE offers STORE-VALUE; invoked from the debugger it reads and
    evaluates a new value, stores it in the place and checks again."""
    r = run([], stdin="(let ((x 'a)) (check-type x integer) (* x 2))\n0\n(+ 20 1)\n")
    assert r.rc == 0, r
    assert "debugger invoked on a SIMPLE-TYPE-ERROR: The value of X is A, which is not of type INTEGER." in r.err, r
    assert "0: [STORE-VALUE] Supply a new value for X." in r.err, r
    assert r.values == ["42"], r


def test_assert_continue_restart_with_places():
    """ASSERT's CONTINUE restart asks for new values of its places and
    retries the test."""
    r = run([], stdin="(let ((y 0)) (assert (> y 5) (y)) y)\n0\n9\n")
    assert r.rc == 0, r
    assert "The assertion (> Y 5) failed." in r.err, r
    assert "[CONTINUE] Retry assertion with new value for Y." in r.err, r
    assert r.values == ["9"], r


def test_break_on_signals_in_repl():
    """*break-on-signals* enters the debugger before the handlers run;
    continuing lets the signal proceed to them."""
    r = run([], stdin="(let ((*break-on-signals* 'warning)) "
                      "(handler-case (warn \"hmm\") (warning () :handled)))\n0\n")
    assert r.rc == 0, r
    assert "BREAK was entered because of *BREAK-ON-SIGNALS*" in r.err, r
    assert r.values == [":HANDLED"], r


def test_backtrace_command_and_reader_error_in_debugger():
    """:backtrace prints the backtrace again; a reader error at the debugger
    prompt is reported and the debugger reads the next line."""
    r = run([], stdin="(defun h (n) (error \"h ~A\" n))\n(h 7)\n:backtrace\n(a . )\n(+ 1 1)\n")
    assert r.rc == 0, r
    assert r.err.count("(H 7)") >= 2, r
    assert r.values == ["H", "2"], r


def test_debugger_hook_runs_first():
    """*debugger-hook* is called (with itself bound to NIL) before the
    debugger; a hook that transfers control keeps the debugger out."""
    r = run([], stdin="(catch 'out (let ((*debugger-hook* (lambda (c h) (declare (ignore h)) "
                      "(throw 'out (list :hooked (princ-to-string c)))))) (error \"boom\")))\n")
    assert r.rc == 0, r
    assert r.values == ['(:HOOKED "boom")'], r
    assert "debugger invoked" not in r.err, r


def test_user_restart_bind_function_may_return():
    """A RESTART-BIND restart whose function returns leaves the debugger
    reading again (it did not transfer control)."""
    r = run([], stdin="(restart-bind ((noisy (lambda () (print :ran)) :report-function "
                      "(lambda (s) (write-string \"Say something.\" s)))) (error \"x\"))\n0\n1\n(+ 1 2)\n")
    assert r.rc == 0, r
    assert "0: [NOISY] Say something." in r.err, r
    assert r.tokens == [":RAN", "3"], r


def test_too_many_nested_debuggers_return_to_top_level():
    """Errors nested past the debugger's depth limit return to the top level
    instead of recursing without bound."""
    r = run([], stdin="(error \"e\")\n" * 40 + "(+ 1 2)\n", timeout=60)
    assert r.rc == 0, r
    assert "Too many nested debuggers" in r.err, r
    assert r.values[-1] == "3", r


def test_script_error_reports_and_exits_1(tmp_path):
    """--script never enters the debugger: the condition and a backtrace with
    the function's arguments go to stderr and the exit status is 1."""
    f = script(tmp_path, "(defun g (a b) (error \"in g ~A\" a))\n(g 1 2)\n(print :not-reached)\n")
    r = run(["--script", f], stdin="0\n")
    assert r.rc == 1, r
    assert "debugger invoked on a SIMPLE-ERROR: in g 1" in r.err, r
    assert "(G 1 2)" in r.err, r
    assert "restarts (invokable" not in r.err, r
    assert ":NOT-REACHED" not in r.out, r


def test_non_interactive_error_reports_and_exits_1():
    """--non-interactive (and --disable-debugger) report and exit 1."""
    for flag in ("--non-interactive", "--disable-debugger"):
        r = run([flag, "--eval", "(progn (cerror \"c\" \"boom\") (print :no))"])
        assert r.rc == 1, r
        assert "debugger invoked on a SIMPLE-ERROR: boom" in r.err, r
        assert "Backtrace:" in r.err, r
        assert ":NO" not in r.out, r


def test_abort_in_script_exits_quietly(tmp_path):
    """The top level's ABORT restart exists in scripts too: (abort) stops the
    script without a condition report."""
    r = run(eval_args("(print :before)", "(abort)", "(print :after)"))
    assert r.rc == 1, r
    assert r.tokens == [":BEFORE"], r
    assert "debugger invoked" not in r.err, r
