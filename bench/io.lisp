;;;; bench/io.lisp — file streams: WRITE-LINE one million lines to a file,
;;;; then READ-LINE them back and check them.  Character output and input
;;;; through the stream layer (UTF-8 encoding and decoding, line assembly),
;;;; not the disk: the 38 MB file stays in the page cache.
;;;; Portable CL: runs under petrel --script, clisp (compiled), sbcl --script.

(defparameter *file* "/tmp/petrel-bench-io.txt")
(defparameter *line* "the quick brown fox jumps over the lazy dog")

(defun write-lines (n)
  (with-open-file (s *file* :direction :output :if-exists :supersede)
    (dotimes (i n) (write-line *line* s))))

(defun read-lines ()
  (let ((lines 0) (chars 0))
    (with-open-file (s *file*)
      (loop for l = (read-line s nil) while l
            do (incf lines) (incf chars (length l))))
    (list lines chars)))

(write-lines 1000000)
(print (read-lines))
(delete-file *file*)
(terpri)
