"""The FFI against a real library: zlib (libz.so.1, Debian's zlib1g, which
every Debian system has).  Lisp (unsigned-byte 8) vectors go through
foreign buffers to compress/uncompress and back, at several sizes and
contents; compressBound against zlib's documented formula; the streams are
real zlib streams (Python's zlib module decompresses petrel's, petrel
uncompresses Python's); and the error returns (garbage -> Z_DATA_ERROR,
a short output buffer -> Z_BUF_ERROR) come back as the C codes.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_ffi_libs.py
"""
import zlib

from test_cli import run

Z_OK, Z_BUF_ERROR, Z_DATA_ERROR = 0, -5, -3

ZLIB = r"""
(defpackage :zlib-test (:use :cl :petrel-ffi))
(in-package :zlib-test)
(defvar *z* (load-foreign-library "libz.so.1"))
(defcfun ("compressBound" compress-bound) :ulong (source-len :ulong))
(defcfun ("compress" %compress) :int (dest :pointer) (dest-len :pointer) (source :pointer) (source-len :ulong))
(defcfun ("uncompress" %uncompress) :int (dest :pointer) (dest-len :pointer) (source :pointer) (source-len :ulong))

(defun to-foreign (octets)
  (let ((p (foreign-alloc :uint8 :count (max 1 (length octets)))))
    (dotimes (i (length octets) p) (setf (mem-aref p :uint8 i) (aref octets i)))))
(defun from-foreign (p n)
  (let ((v (make-array n :element-type '(unsigned-byte 8))))
    (dotimes (i n v) (setf (aref v i) (mem-aref p :uint8 i)))))

(defun call-zlib (fn octets capacity)
  "FN (compress or uncompress) of OCTETS into a CAPACITY-byte buffer:
returns the zlib status and the output octets (NIL unless Z_OK)."
  (let ((src (to-foreign octets)) (dst (foreign-alloc :uint8 :count (max 1 capacity))))
    (unwind-protect
         (with-foreign-object (len :ulong)
           (setf (mem-ref len :ulong) capacity)
           (let ((status (funcall fn dst len src (length octets))))
             (values status (and (zerop status) (from-foreign dst (mem-ref len :ulong))))))
      (foreign-free src)
      (foreign-free dst))))
(defun compress (octets)
  (call-zlib #'%compress octets (compress-bound (length octets))))
(defun uncompress (octets size) (call-zlib #'%uncompress octets size))

(defvar *seed* 7)
(defun data (n kind)
  (let ((v (make-array n :element-type '(unsigned-byte 8))))
    (dotimes (i n v)
      (setf (aref v i)
            (ecase kind
              (:random (ldb (byte 8 16) (setf *seed* (mod (+ (* *seed* 1103515245) 12345) 2147483648))))
              (:text (char-code (char "the quick brown fox jumps over the lazy dog " (mod i 44))))
              (:zeros 0))))))
(defun hex (octets) (format nil "~(~{~2,'0X~}~)" (coerce octets 'list)))
"""


def lisp(body, timeout=120):
    r = run(["--non-interactive", "--eval", "(load *standard-input*)"], stdin=ZLIB + body, timeout=timeout)
    assert r.rc == 0, r
    return r


def test_round_trips_of_several_sizes_and_contents():
    r = lisp(r"""
(dolist (n '(0 1 2 100 4096 65537 1000000))
  (dolist (kind '(:random :text :zeros))
    (let ((v (data n kind)))
      (multiple-value-bind (status packed) (compress v)
        (multiple-value-bind (status2 unpacked) (uncompress packed n)
          (format t "~D ~(~A~) ~D ~D ~D ~A~%" n kind status (length packed) status2
                  (and (equalp unpacked v) (= (length unpacked) n))))))))
""", timeout=300)
    lines = [l.split() for l in r.values]
    assert len(lines) == 21, r
    for n, kind, status, packed, status2, same in lines:
        n, packed = int(n), int(packed)
        assert (int(status), int(status2), same) == (Z_OK, Z_OK, "T"), (n, kind, r)
        bound = n + (n >> 12) + (n >> 14) + (n >> 25) + 13  # zlib.h's compressBound
        assert 0 < packed <= bound, (n, kind, packed)
        if kind != "random" and n >= 4096:
            assert packed < n // 20, (n, kind, packed)  # it really compressed


def test_compress_bound_matches_zlibs_formula():
    sizes = [0, 1, 1000, 16384, 1 << 20, 123456789]
    r = lisp(f"(print (mapcar #'compress-bound '{sizes!r}))".replace("[", "(").replace("]", ")").replace(",", ""))
    assert r.values == ["(" + " ".join(str(n + (n >> 12) + (n >> 14) + (n >> 25) + 13) for n in sizes) + ")"], r


def test_streams_interoperate_with_pythons_zlib():
    theirs = zlib.compress(b"petrel " * 500 + bytes(range(256)))
    lisp_vec = "#(" + " ".join(str(b) for b in theirs) + ")"
    r = lisp(rf"""
(multiple-value-bind (status packed) (compress (data 5000 :text)) (print status) (print (hex packed)))
(multiple-value-bind (status plain)
    (uncompress (coerce {lisp_vec} '(vector (unsigned-byte 8))) 3756)
  (print status) (print (hex plain)))
""")
    status, ours, status2, plain = r.values
    assert status == "0" and status2 == "0", r
    assert zlib.decompress(bytes.fromhex(ours.strip('"'))) == bytes(
        ord("the quick brown fox jumps over the lazy dog "[i % 44]) for i in range(5000))
    assert bytes.fromhex(plain.strip('"')) == b"petrel " * 500 + bytes(range(256))


def test_errors_come_back_as_zlib_status_codes():
    r = lisp(r"""
;; garbage: not a zlib header
(print (uncompress (data 100 :random) 1000))
;; a valid stream with its last bytes (the checksum) corrupted
(let ((packed (nth-value 1 (compress (data 1000 :text)))))
  (setf (aref packed (1- (length packed))) (logxor 255 (aref packed (1- (length packed)))))
  (print (uncompress packed 1000)))
;; output buffers too small
(print (uncompress (nth-value 1 (compress (data 1000 :text))) 999))
(print (call-zlib #'%compress (data 1000 :random) 10))
(print :alive)
""")
    assert r.values == [str(Z_DATA_ERROR), str(Z_DATA_ERROR), str(Z_BUF_ERROR), str(Z_BUF_ERROR), ":ALIVE"], r
