"""End-to-end tests of file streams and the file system functions (CLHS 20,
21.2 OPEN/CLOSE, 19 pathnames as the file functions use them).  Python is
the independent side: it writes files petrel must read byte-exactly and
checks the bytes petrel writes (UTF-8 text, binary elements, what each
:if-exists does), the file-error messages (path and system message), that
WITH-OPEN-FILE closes on a non-local exit, reading a 10 MB file line by
line, and that opening and closing a file 100000 times leaks no descriptor.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_files.py
"""
import os
import subprocess

import pytest

from case_table import PETREL, TIMEOUT

TEXT = "h\u00e9llo w\u00f6rld \u2713 \U0001d11e \u65e5\u672c"  # 1-, 2-, 3- and 4-byte UTF-8


def run(tmp_path, program, timeout=TIMEOUT):
    """petrel --script of program in tmp_path: (stdout, stderr); must exit 0."""
    src = tmp_path / "prog.lisp"
    src.write_text(program, encoding="utf-8")
    proc = subprocess.run([PETREL, "--script", str(src)], cwd=tmp_path, capture_output=True,
                          timeout=timeout)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    return proc.stdout.decode("utf-8"), err


def codes(s):
    return "(" + " ".join(str(ord(c)) for c in s) + ")"


def test_utf8_written_is_byte_exact(tmp_path):
    run(tmp_path, '(with-open-file (s "u.txt" :direction :output :external-format :utf-8)\n'
                  f'  (write-line (map (quote string) (function code-char) (quote {codes(TEXT)})) s))\n')
    assert (tmp_path / "u.txt").read_bytes() == (TEXT + "\n").encode("utf-8")


def test_utf8_read_back_and_round_trip(tmp_path):
    (tmp_path / "in.txt").write_bytes((TEXT + "\n" + TEXT).encode("utf-8"))
    out, _ = run(tmp_path, """
(with-open-file (s "in.txt")
  (multiple-value-bind (a a-missing) (read-line s)
    (multiple-value-bind (b b-missing) (read-line s)
      (print (map 'list #'char-code a))
      (print (list (string= a b) a-missing b-missing (read-line s nil :eof))))))
(with-open-file (s "in.txt")
  (with-open-file (o "copy.txt" :direction :output)
    (loop for c = (read-char s nil) while c do (write-char c o))))
""")
    lines = out.split("\n")
    assert lines[1].strip() == codes(TEXT)
    assert lines[2].strip() == "(T NIL T :EOF)"
    assert (tmp_path / "copy.txt").read_bytes() == (tmp_path / "in.txt").read_bytes()


def test_invalid_utf8_reads_as_replacement_characters(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"a\xffb\xc3(c\xe2\x82\n")
    out, _ = run(tmp_path, '(with-open-file (s "bad.txt") (print (map (quote list) (function char-code) (read-line s))))')
    assert out.strip() == "(97 65533 98 65533 40 99 65533)"


def test_latin1_external_format(tmp_path):
    run(tmp_path, '(with-open-file (s "l.txt" :direction :output :external-format :latin-1)'
                  ' (write-string (string (code-char 233)) s))')
    assert (tmp_path / "l.txt").read_bytes() == b"\xe9"


def test_binary_files(tmp_path):
    (tmp_path / "in.bin").write_bytes(bytes([0, 1, 127, 128, 255, 0x34, 0x12]))
    out, _ = run(tmp_path, """
(with-open-file (s "out.bin" :direction :output :element-type '(unsigned-byte 8))
  (dotimes (i 256) (write-byte i s)))
(with-open-file (s "w16.bin" :direction :output :element-type '(unsigned-byte 16))
  (write-byte 258 s) (write-byte 65535 s))
(with-open-file (s "in.bin" :element-type '(signed-byte 8))
  (print (loop for b = (read-byte s nil :eof) until (eq b :eof) collect b)))
(with-open-file (s "in.bin" :element-type '(unsigned-byte 8))
  (let ((v (make-array 5)))
    (print (list (read-sequence v s :start 1) v (file-position s) (file-length s)
                 (stream-element-type s)))))
(with-open-file (s "w16.bin" :element-type '(unsigned-byte 16))
  (print (list (read-byte s) (read-byte s) (read-byte s nil :eof) (file-length s))))
(print (handler-case (with-open-file (s "out.bin" :element-type '(unsigned-byte 8)) (read-char s))
         (error () :error)))
(print (handler-case (with-open-file (s "x.bin" :direction :output :element-type '(unsigned-byte 8))
                       (write-byte 256 s))
         (type-error () :type-error)))
""")
    assert (tmp_path / "out.bin").read_bytes() == bytes(range(256))
    assert (tmp_path / "w16.bin").read_bytes() == b"\x02\x01\xff\xff"
    lines = [l.strip() for l in out.strip().split("\n")]
    assert lines[0] == "(0 1 127 -128 -1 52 18)"
    assert lines[1] == "(5 #(0 0 1 127 128) 4 7 (UNSIGNED-BYTE 8))"
    assert lines[2] == "(258 65535 :EOF 2)"
    assert lines[3:] == [":ERROR", ":TYPE-ERROR"]


def test_if_exists_behaviour(tmp_path):
    def setup():
        for n in "abcdefgh":
            (tmp_path / f"{n}.txt").write_bytes(b"old-contents")
        for n in ("e.txt.bak", "f.txt.bak"):
            if (tmp_path / n).exists():
                (tmp_path / n).unlink()
    setup()
    out, _ = run(tmp_path, """
(defun w (name how) (with-open-file (s name :direction :output :if-exists how) (when s (write-string "NEW" s) t)))
(print (handler-case (w "a.txt" :error) (file-error () :file-error)))
(print (w "b.txt" :supersede))
(print (w "c.txt" :append))
(print (w "d.txt" :overwrite))
(print (w "e.txt" :rename))
(print (w "f.txt" :rename-and-delete))
(print (w "g.txt" nil))
(print (handler-case (with-open-file (s "h.txt" :direction :output) s) (file-error () :default-is-error)))
(print (with-open-file (s "none.txt" :direction :output :if-does-not-exist nil) s))
(print (handler-case (open "none.txt" :direction :output :if-does-not-exist :error) (file-error () :no-file)))
(print (with-open-file (s "new.txt" :direction :output :if-does-not-exist :create) (write-string "N" s) t))
(print (with-open-file (s "none.txt" :if-does-not-exist nil) s))
(print (let ((s (open "probe.txt" :direction :probe :if-does-not-exist :create))) (list (streamp s) (open-stream-p s))))
""")
    lines = [l.strip() for l in out.strip().split("\n")]
    assert lines == [":FILE-ERROR", "T", "T", "T", "T", "T", "NIL", ":DEFAULT-IS-ERROR", "NIL", ":NO-FILE",
                     "T", "NIL", "(T NIL)"]
    read = lambda n: (tmp_path / n).read_bytes()
    assert read("a.txt") == b"old-contents"
    assert read("b.txt") == b"NEW"
    assert read("c.txt") == b"old-contentsNEW"
    assert read("d.txt") == b"NEW-contents"
    assert read("e.txt") == b"NEW" and read("e.txt.bak") == b"old-contents"
    assert read("f.txt") == b"NEW" and not (tmp_path / "f.txt.bak").exists()
    assert read("g.txt") == b"old-contents"
    assert read("new.txt") == b"N"
    assert not (tmp_path / "none.txt").exists()
    assert (tmp_path / "probe.txt").exists()


def test_close_abort(tmp_path):
    (tmp_path / "r.txt").write_bytes(b"original")
    run(tmp_path, """
(let ((s (open "created.txt" :direction :output))) (write-string "x" s) (close s :abort t))
(let ((s (open "r.txt" :direction :output :if-exists :rename-and-delete))) (write-string "x" s) (close s :abort t))
""")
    assert not (tmp_path / "created.txt").exists()
    assert (tmp_path / "r.txt").read_bytes() == b"original"
    assert not (tmp_path / "r.txt.bak").exists()


def test_file_error_messages_name_path_and_system_error(tmp_path):
    out, _ = run(tmp_path, """
(defun report (thunk)
  (handler-case (progn (funcall thunk) (print :no-error))
    (file-error (c) (format t "~A|~A~%" (file-error-pathname c) c))))
(report (lambda () (open "/nonexistent-dir-petrel/x.txt")))
(report (lambda () (open "/nonexistent-dir-petrel/x.txt" :direction :output)))
(report (lambda () (delete-file "missing.txt")))
(report (lambda () (rename-file "missing.txt" "other.txt")))
(report (lambda () (load "missing.lisp")))
(report (lambda () (truename "missing.txt")))
(report (lambda () (ensure-directories-exist "/proc/petrel-cannot/x/")))
""")
    lines = out.strip().split("\n")
    assert len(lines) == 7, out
    for line in lines[:6]:
        path, message = line.split("|", 1)
        assert path.strip(), line
        assert os.path.basename(path.rstrip("/")) in message, line
    assert "No such file or directory" in lines[0] and "/nonexistent-dir-petrel/x.txt" in lines[0]
    assert "No such file or directory" in lines[1]
    assert "DELETE-FILE" in lines[2] and "No such file or directory" in lines[2]
    assert "missing.txt" in lines[3]
    assert "ENSURE-DIRECTORIES-EXIST" in lines[6] and "/proc/petrel-cannot/" in lines[6]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_write_errors_are_file_errors(tmp_path):
    out, _ = run(tmp_path, """
(defun report (thunk)
  (handler-case (progn (funcall thunk) (print :no-error))
    (file-error (c) (format t "~A|~A~%" (file-error-pathname c) c))))
(report (lambda () (with-open-file (s "/dev/full" :direction :output :if-exists :append) (write-line "x" s))))
(report (lambda () (with-open-file (s "/dev/full" :direction :output :if-exists :append)
                     (write-line "x" s) (finish-output s))))
(report (lambda () (with-open-file (s "/dev/full" :direction :output :if-exists :append
                                        :element-type '(unsigned-byte 8))
                     (dotimes (i 100000) (write-byte 1 s)))))
(report (lambda () (open "/")))
""")
    lines = out.strip().split("\n")
    assert len(lines) == 4, out
    for line in lines[:3]:
        assert line.startswith("/dev/full|") and "No space left on device" in line, line
    assert lines[0].split("|")[1].startswith("CLOSE")
    assert lines[1].split("|")[1].startswith("FINISH-OUTPUT")
    assert "Is a directory" in lines[3]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file permissions")
def test_permission_denied_message(tmp_path):
    p = tmp_path / "locked.txt"
    p.write_text("x")
    p.chmod(0)
    out, _ = run(tmp_path, '(handler-case (open "locked.txt") (file-error (c) (princ c)))')
    assert "Permission denied" in out and "locked.txt" in out


OPEN_FDS = '(length (petrel-system::%directory-entries "/proc/self/fd/"))'


def test_with_open_file_closes_and_flushes_on_non_local_exit(tmp_path):
    (tmp_path / "log.txt").write_bytes(b"start;")
    out, _ = run(tmp_path, f"""
(defvar *before* {OPEN_FDS})
(defvar *stream* nil)
(catch 'out
  (with-open-file (s "log.txt" :direction :output :if-exists :append)
    (setq *stream* s)
    (write-string "appended" s)
    (throw 'out nil)))
(print (list (open-stream-p *stream*) (= *before* {OPEN_FDS})))
(print (handler-case (with-open-file (s "fresh.txt" :direction :output) (write-string "x" s) (error "boom"))
         (error () :signalled)))
(print (probe-file "fresh.txt"))
(print (= *before* {OPEN_FDS}))
""")
    lines = [l.strip() for l in out.strip().split("\n")]
    assert lines == ["(NIL T)", ":SIGNALLED", "NIL", "T"]
    # flushed before the close; a file the aborted stream created is deleted (CLHS CLOSE :abort)
    assert (tmp_path / "log.txt").read_bytes() == b"start;appended"


def test_ten_megabytes_line_by_line(tmp_path):
    line = "0123456789abcdefghij\u00e9\u2713" * 4  # 96 UTF-8 bytes + newline
    n = 10 * 1024 * 1024 // (len(line.encode()) + 1) + 1
    (tmp_path / "big.txt").write_bytes(((line + "\n") * n).encode("utf-8"))
    out, _ = run(tmp_path, """
(with-open-file (s "big.txt")
  (let ((lines 0) (chars 0))
    (loop for l = (read-line s nil) while l do (incf lines) (incf chars (length l)))
    (print (list lines chars (file-length s)))))
""", timeout=TIMEOUT * 4)
    size = (tmp_path / "big.txt").stat().st_size
    assert size >= 10 * 1024 * 1024
    assert out.strip() == f"({n} {n * len(line)} {size})"


def test_open_close_100000_times_leaks_no_descriptor(tmp_path):
    (tmp_path / "f.txt").write_text("x\n")
    out, _ = run(tmp_path, f"""
(defvar *before* {OPEN_FDS})
(dotimes (i 100000) (with-open-file (s "f.txt") (read-char s)))
(dotimes (i 1000) (close (open "f.txt")))
(print (list (= *before* {OPEN_FDS}) (with-open-file (s "f.txt") (read-line s))))
""", timeout=TIMEOUT * 4)
    assert out.strip() == '(T "x")'


def test_io_streams_positions_and_file_functions(tmp_path):
    out, _ = run(tmp_path, """
(with-open-file (s "io.txt" :direction :io :if-does-not-exist :create)
  (write-string "hello world" s)
  (file-position s 6)
  (print (list (read-char s) (file-position s)))
  (file-position s :end)
  (write-string "!" s)
  (file-position s 0)
  (print (read-line s)))
(print (multiple-value-list (ensure-directories-exist "d1/d2/")))
(print (nth-value 1 (ensure-directories-exist "d1/d2/")))
(with-open-file (s "d1/d2/a.lisp" :direction :output) (print 1 s))
(with-open-file (s "d1/b.lisp" :direction :output) (print 2 s))
(print (mapcar #'file-namestring (directory "d1/**/*.lisp")))
(print (multiple-value-bind (new old tru) (rename-file "d1/b.lisp" "c.lisp")
         (list (namestring new) (file-namestring old) (file-namestring tru))))
(print (list (delete-file "d1/c.lisp") (probe-file "d1/c.lisp")))
(print (equal (truename "io.txt") (probe-file "io.txt")))
(print (directory-namestring (probe-file "d1/")))
""")
    lines = [l.strip() for l in out.strip().split("\n")]
    assert lines[0] == "(#\\w 7)"
    assert lines[1] == '"hello world!"'
    assert lines[2] == '("d1/d2/" T)'  # the pathspec as given (CLHS)
    assert lines[3] == "NIL"
    assert lines[4] in ('("a.lisp" "b.lisp")', '("b.lisp" "a.lisp")')
    assert lines[5] == '("d1/c.lisp" "b.lisp" "c.lisp")'
    assert lines[6] == "(T NIL)"
    assert lines[7] == "T"
    assert lines[8] == f'"{tmp_path.resolve()}/d1/"'
    assert (tmp_path / "io.txt").read_bytes() == b"hello world!"


def test_load_source_options_and_variables(tmp_path):
    (tmp_path / "src.lisp").write_bytes(
        b"(defparameter *where* (list (namestring *load-pathname*) (pathname-name *load-truename*)))\n"
        b"(defparameter *latin* \"\xe9\")\n(+ 1 2)\n")
    out, _ = run(tmp_path, """
(print (load "src" :print t :external-format :latin-1))
(print (list *where* (char-code (char *latin* 0)) (pathnamep *load-pathname*)))
(with-open-file (s "src.lisp" :external-format :latin-1) (print (load s)))
(print (load "absent" :if-does-not-exist nil))
""")
    lines = [l.strip() for l in out.strip().split("\n") if l.strip()]
    assert lines[0] == "*WHERE*" and lines[1] == "*LATIN*" and lines[2] == "3"
    assert lines[3] == "T"
    assert lines[4] == '(("src.lisp" "src") 233 T)'  # --script's own *load-pathname* again
    assert lines[5:] == ["T", "NIL"]
