"""End-to-end checks of PETREL-THREADS that need a whole process: a thread
waiting for terminal or pipe input never holds up collections (issue 5: I/O
is a safe state), print-backtraces shows every thread at one instant, and
the debugger names the thread once there are several.  The thread-safety
specs proper are in stress/threads/.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_threads.py
"""
import subprocess

from case_table import PETREL, TIMEOUT
from test_cli import run, script

WORKER = r"""
(use-package "PETREL-THREADS")
(defvar *w* (make-thread (lambda ()
  (let ((acc 0))
    (dotimes (i 300000) (setq acc (+ acc (length (make-list 20)))))
    (format t "worker done after ~D collections~%" (getf (petrel-ext:gc-statistics) :collections))
    (finish-output)
    acc))))
(format t "read ~S~%" (read-line))
(print (join-thread *w*))
"""


def test_a_thread_blocked_on_input_does_not_stop_collections(tmp_path):
    """The main thread blocks reading an empty pipe while a worker allocates
    enough to need several collections: the worker finishes before any input
    is written (a pause waiting for the reader would hang it), and no pause
    watchdog message appears."""
    path = script(tmp_path, WORKER)
    p = subprocess.Popen([PETREL, "--script", path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        first = p.stdout.readline().decode()
        assert first.startswith("worker done after"), first
        assert int(first.split()[3]) >= 2, first
        out, err = p.communicate(b"hello\n", timeout=TIMEOUT)
    finally:
        p.kill()
    assert p.returncode == 0, err
    assert out.decode().split() == ['read', '"hello"', "6000000"], out
    assert b"waited" not in err, err


def test_print_backtraces_shows_each_thread(tmp_path):
    r = run(["--script", script(tmp_path, r"""
(use-package "PETREL-THREADS")
(defvar *l* (make-lock "gate"))
(defun waiter () (with-lock-held (*l*) :done))
(acquire-lock *l*)
(defvar *t* (make-thread #'waiter :name "waiter"))
(loop until (search "ACQUIRE-LOCK" (with-output-to-string (s) (print-backtraces s))) do (sleep 0.05))
(print-backtraces)
(release-lock *l*)
(print (join-thread *t*))
""")])
    assert r.rc == 0, r
    assert 'Thread "waiter" (blocked or waiting):' in r.out, r.out
    assert "(WAITER)" in r.out and 'Thread "main thread" (this thread):' in r.out, r.out
    assert r.out.rstrip().endswith(":DONE"), r.out


def test_debugger_names_the_thread(tmp_path):
    """Once there are several threads, the REPL's debugger banner and prompt
    say which thread stopped."""
    r = run([], stdin='(use-package "PETREL-THREADS")\n'
                      '(defvar *t* (make-thread (lambda () (sleep 5)) :name "sleeper"))\n'
                      '(error "stop here")\n:abort\n(print :back)\n')
    both = r.out + r.err
    assert 'debugger invoked on a SIMPLE-ERROR in thread "main thread": stop here' in both, both
    assert "main thread 0]" in both and ":BACK" in both, both


def test_interrupt_and_destroy_wake_a_sleeping_thread(tmp_path):
    """interrupt-thread runs in a thread sleeping for 30 s without waiting
    for it to wake, and destroy-thread ends it at once, running its
    unwind-protect cleanup; join-thread then reports it aborted."""
    r = run(["--script", script(tmp_path, r"""
(use-package "PETREL-THREADS")
(defvar *hits* 0)
(defvar *t* (make-thread (lambda () (unwind-protect (sleep 30) (setq *hits* 100)))))
(sleep 0.2)
(interrupt-thread *t* (lambda () (incf *hits*)))
(sleep 0.2)
(print *hits*)
(destroy-thread *t*)
(print (handler-case (join-thread *t*) (join-thread-error (c) (join-thread-error-reason c))))
(print *hits*)
""")], timeout=10)
    assert r.rc == 0, r
    assert r.out.split() == ["1", ":ABORTED", "100"], r.out


def test_arguments_and_atomic_list_operations(tmp_path):
    """make-thread :arguments; atomic-push/atomic-update/atomic-pop lose
    nothing under contention from four threads."""
    r = run(["--script", script(tmp_path, r"""
(use-package "PETREL-THREADS")
(defvar *stack* nil)
(defvar *c* (list 0))
(mapc #'join-thread
      (loop for i below 4
            collect (make-thread (lambda (k)
                                   (dotimes (j 2000)
                                     (atomic-push (+ (* k 10000) j) (symbol-value '*stack*))
                                     (atomic-update (car *c*) #'+ 2)))
                                 :arguments (list i))))
(print (list (length *stack*) (length (remove-duplicates *stack*)) (car *c*)))
(let ((popped (mapc #'join-thread
                    (loop repeat 4 collect (make-thread (lambda () (loop repeat 1000 collect (atomic-pop (symbol-value '*stack*)))))))))
  (declare (ignore popped)))
(print (length *stack*))
""")], timeout=60)
    assert r.rc == 0, r
    assert r.out.split() == ["(8000", "8000", "16000)", "4000"], r.out


def test_interrupts_reach_blocked_waits(tmp_path):
    """interrupt-thread and destroy-thread reach threads blocked in a lock
    wait, a condition wait and a semaphore wait (waits run in slices);
    destroy-thread's unwinding runs their cleanups and releases the
    condition variable's lock."""
    r = run(["--script", script(tmp_path, r"""
(use-package "PETREL-THREADS")
(defvar *l* (make-lock "held")) (defvar *cv* (make-condition-variable)) (defvar *cl* (make-lock "cv"))
(defvar *sem* (make-semaphore))
(defvar *log* nil) (defvar *log-lock* (make-lock "log"))
(defun note (x) (with-lock-held (*log-lock*) (push x *log*)))
(acquire-lock *l*)
(defvar *ts* (list (make-thread (lambda () (unwind-protect (with-lock-held (*l*) :got) (note :c1))) :name "lock-waiter")
                   (make-thread (lambda () (unwind-protect (with-lock-held (*cl*) (condition-wait *cv* *cl*)) (note :c2)))
                                :name "cv-waiter")
                   (make-thread (lambda () (unwind-protect (wait-on-semaphore *sem*) (note :c3))) :name "sem-waiter")))
(sleep 0.3)
(dolist (th *ts*) (interrupt-thread th (lambda () (note (thread-name (current-thread))))))
(sleep 0.5)
(dolist (th *ts*) (destroy-thread th))
(print (mapcar (lambda (th) (handler-case (join-thread th) (join-thread-error (c) (join-thread-error-reason c)))) *ts*))
(print (sort (mapcar #'string *log*) #'string<))
(print (lock-owner *cl*))
""")], timeout=30)
    assert r.rc == 0, r
    assert r.out.split() == ["(:ABORTED", ":ABORTED", ":ABORTED)",
                             '("C1"', '"C2"', '"C3"', '"cv-waiter"', '"lock-waiter"', '"sem-waiter")', "NIL"], r.out
