"""End-to-end tests of core images (issue 4 item 9): petrel.core saved by the
build beside the binary and mapped at startup; --core, $PETREL_CORE and
--no-core; save-lisp-and-die with user definitions, :toplevel and :executable; the heap
restored from a core collects and verifies, also under GC torture.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_core.py
"""
import os
import subprocess
from pathlib import Path

import pytest

from test_cli import PETREL, eval_args, run

BUILD_CORE = str(Path(PETREL).resolve().parent / "petrel.core")
NO_CORE = {"PETREL_CORE": "/nonexistent/petrel.core"}

FORMS = [
    "(print (list (+ 1 2) (expt 2 40) (/ 1 3) 1.5d0 #\\a \"str\" :kw 'sym))",
    "(print (mapcar (lambda (x) (* x x)) '(1 2 3)))",
    "(print (handler-case (error 'type-error :datum 1 :expected-type 'string) (type-error (c) (type-error-datum c))))",
    "(progn (defstruct pt x y) (print (make-pt :x 1 :y 2)))",
    "(print (list (find-package \"CL-USER\") *package* (symbol-package 'car) (fboundp 'car)))",
    "(print (let ((x (list 1 2))) (push 0 x) (incf (second x)) x))",
    "(print (list (typep 3 '(integer 0 5)) (subtypep 'fixnum 'integer) (type-of \"a\")))",
    "(progn (format t \"~&~a ~s ~d~%\" \"a\" \"b\" 42) (write-line \"out\") (fresh-line))",
    "(print (gensym))",
]


def test_build_saved_a_core():
    assert os.path.exists(BUILD_CORE), f"the build should save {BUILD_CORE}"


def test_same_results_with_and_without_core():
    with_core = run(eval_args(*FORMS), env={"PETREL_CORE": BUILD_CORE})
    without = run(eval_args(*FORMS), env=NO_CORE)
    assert with_core.rc == without.rc == 0, (with_core, without)
    assert with_core.out == without.out
    assert with_core.err == without.err == ""


def test_no_core_flag_and_empty_env_load_from_source():
    a = run(eval_args("(print (+ 40 2))") + ["--no-core"])
    b = run(eval_args("(print (+ 40 2))"), env={"PETREL_CORE": ""})
    assert a.tokens == b.tokens == ["42"] and a.err == b.err == ""


def test_core_flag_garbage_file_exits_2(tmp_path):
    bad = tmp_path / "garbage.core"
    bad.write_bytes(b"PETRELCORE" + os.urandom(4000))
    r = run(["--core", str(bad), "--non-interactive", "--eval", "(print 1)"])
    assert r.rc == 2 and r.out == ""
    assert "core" in r.err and len(r.err.strip().splitlines()) == 1


def test_core_flag_missing_or_truncated_exits_2(tmp_path):
    r = run(["--core", str(tmp_path / "missing.core"), "--non-interactive"])
    assert r.rc == 2 and "missing.core" in r.err
    trunc = tmp_path / "trunc.core"
    trunc.write_bytes(Path(BUILD_CORE).read_bytes()[:100000])
    r = run(["--core", str(trunc), "--non-interactive"])
    assert r.rc == 2 and "truncated" in r.err


def test_bad_env_core_warns_and_falls_back(tmp_path):
    bad = tmp_path / "bad.core"
    bad.write_bytes(b"not a core at all" * 100)
    r = run(eval_args("(print (+ 1 1))"), env={"PETREL_CORE": str(bad)})
    assert r.rc == 0 and r.tokens == ["2"]
    assert "warning" in r.err and len(r.err.strip().splitlines()) == 1


USER_CODE = [
    '(defvar *greeting* "hello")',
    "(defparameter *count* 41)",
    '(defun greet (who) (format nil "~a, ~a" *greeting* who))',
    "(defmacro twice (x) `(list ,x ,x))",
    '(defpackage "MY-APP" (:use "CL") (:export "RUN"))',
    '(defun my-app:run () (format t "~&app ran ~a~%" (greet "app")) 7)',
    "(defstruct (point (:constructor pt (x y))) x y)",
    "(define-condition my-err (error) ((k :initarg :k :reader my-err-k)))",
]


def save(tmp_path, name, *extra):
    core = tmp_path / name
    r = run(eval_args(*USER_CODE, *extra), torture=False, timeout=60)
    assert r.rc == 0 and r.err == "", r
    assert core.exists() and not list(tmp_path.glob(name + ".tmp*"))
    return str(core)


def test_save_lisp_and_die_restores_user_definitions(tmp_path):
    core = save(tmp_path, "user.core", f'(petrel-ext:save-lisp-and-die "{tmp_path}/user.core")')
    r = run(["--core", core] + eval_args(
        "(print (greet \"world\"))", "(print (incf *count*))", "(print (twice 3))",
        "(print (point-y (pt 1 2)))",
        "(print (handler-case (error 'my-err :k 5) (my-err (c) (my-err-k c))))",
        "(print (find-symbol \"RUN\" \"MY-APP\"))"))
    assert r.rc == 0, r
    assert r.values == ['"hello, world"', "42", "(3 3)", "2", "5", "MY-APP:RUN"]


def test_toplevel_runs_instead_of_repl(tmp_path):
    core = save(tmp_path, "app.core",
                f"(petrel-ext:save-lisp-and-die \"{tmp_path}/app.core\" :toplevel 'my-app:run)")
    r = run(["--core", core], stdin="(print :repl-should-not-run)\n")
    assert r.rc == 7, r
    assert r.out == "app ran hello, app\n"


def run_exe(path, args, stdin=None):
    p = subprocess.run([path] + args, input=(stdin or "").encode(), capture_output=True, timeout=60,
                       env={k: v for k, v in os.environ.items() if k != "PETREL_GC_TORTURE"})
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def test_executable_program_owns_its_command_line(tmp_path):
    """:executable t with :toplevel: a program whose arguments are its own
    (no petrel options but the leading runtime ones, as in SBCL), whose exit
    status is the toplevel's value, and which needs no petrel or core beside it."""
    exe = save(tmp_path, "app", f"(petrel-ext:save-lisp-and-die \"{tmp_path}/app\" :executable t "
                                ":toplevel (lambda () (print (cdr petrel-ext:*posix-argv*)) (my-app:run)))")
    assert os.access(exe, os.X_OK)
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    os.rename(exe, moved / "app")
    rc, out, err = run_exe(str(moved / "app"), ["--eval", "x", "a b"])
    assert rc == 7, err
    assert out.split() == ["(\"--eval\"", "\"x\"", "\"a", "b\")", "app", "ran", "hello,", "app"]
    rc, out, err = run_exe(str(moved / "app"), ["--dynamic-space-size", "64", "--end-runtime-options", "--help"])
    assert rc == 7 and out.startswith('\n("--help")'), (out, err)


def test_executable_without_toplevel_is_a_petrel_with_the_image(tmp_path):
    exe = save(tmp_path, "mylisp", f'(petrel-ext:save-lisp-and-die "{tmp_path}/mylisp" :executable t)')
    rc, out, err = run_exe(exe, ["--non-interactive", "--eval", "(print (greet \"exe\"))"])
    assert rc == 0 and out.split() == ['"hello,', 'exe"'], (out, err)
    rc, out, err = run_exe(exe, [], stdin="(print (twice 4))\n")
    assert rc == 0 and "(4 4)" in out, (out, err)
    # saved again from the executable: the runtime part is copied, not the old image
    rc, out, err = run_exe(exe, ["--non-interactive", "--eval", "(defvar *again* 1)",
                                 "--eval", f'(petrel-ext:save-lisp-and-die "{tmp_path}/again" :executable t)'])
    assert rc == 0, err
    assert os.path.getsize(tmp_path / "again") < os.path.getsize(exe) + (1 << 20)
    rc, out, err = run_exe(str(tmp_path / "again"), ["--non-interactive", "--eval", "(print (list *again* (greet \"2\")))"])
    assert rc == 0 and out.split() == ['(1', '"hello,', '2")'], (out, err)


def test_executable_with_a_damaged_image_exits_2(tmp_path):
    exe = save(tmp_path, "bad", f'(petrel-ext:save-lisp-and-die "{tmp_path}/bad" :executable t)')
    data = bytearray(Path(exe).read_bytes())
    data[-24:-16] = (12345).to_bytes(8, "little")  # the trailer's image start, not 64 KiB aligned
    Path(exe).write_bytes(bytes(data))
    rc, out, err = run_exe(exe, ["--non-interactive"])
    assert rc == 2 and "corrupt executable image trailer" in err, (rc, err)


GC_FORMS = [
    "(petrel-ext:gc)",
    "(print (petrel-ext:verify-heap))",
    "(defun build (n) (if (= n 0) nil (cons (make-string 10) (build (1- n)))))",
    "(print (length (build 5000)))",
    "(petrel-ext:gc)",
    "(print (petrel-ext:verify-heap))",
    "(print (greet \"after gc\"))",
]


def test_gc_after_loading_core(tmp_path):
    core = save(tmp_path, "gc.core", f'(petrel-ext:save-lisp-and-die "{tmp_path}/gc.core")')
    r = run(["--core", core] + eval_args(*GC_FORMS), torture=False)
    assert r.rc == 0, r
    assert r.values == ["0", "5000", "0", '"hello, after gc"']


def test_gc_torture_with_core(tmp_path):
    core = save(tmp_path, "tort.core", f'(petrel-ext:save-lisp-and-die "{tmp_path}/tort.core")')
    r = run(["--core", core] + eval_args(*GC_FORMS),
            env={"PETREL_GC_TORTURE": "20", "PETREL_GC_VERIFY": "1"}, timeout=120)
    assert r.rc == 0, r
    assert r.values == ["0", "5000", "0", '"hello, after gc"']


def test_build_core_under_torture():
    r = run(eval_args("(print (petrel-ext:verify-heap))", "(print (funcall (compile nil '(lambda (x) (1+ x))) 1))"),
            env={"PETREL_CORE": BUILD_CORE, "PETREL_GC_TORTURE": "7"}, timeout=60)
    assert r.rc == 0 and r.values == ["0", "2"], r


def test_small_heap_refuses_core_cleanly():
    r = run(["--core", BUILD_CORE, "--dynamic-space-size", "1", "--non-interactive", "--eval", "(print 1)"])
    assert r.rc == 2 and "dynamic-space-size" in r.err and r.out == ""


def test_busy_heap_address_falls_back_to_source():
    """The core's base address is taken (PETREL_TEST_OCCUPY_HEAP_BASE maps a
    page there first): one warning line, then the library from source."""
    r = run(eval_args("(print (list (+ 1 2) (petrel-ext:verify-heap)))", "(petrel-ext:gc)"),
            env={"PETREL_CORE": BUILD_CORE, "PETREL_TEST_OCCUPY_HEAP_BASE": "1"})
    assert r.rc == 0 and r.values == ["(3 0)"], r
    assert "busy" in r.err and len(r.err.strip().splitlines()) == 1
