;;; Stand-in for ansi-test's gclload2.lsp: one load per chapter.

;;; The only chapter
(load "fake/load.lsp")
