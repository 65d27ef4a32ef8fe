;;; Stand-in for ansi-test's gclload1.lsp: the RT package and CL-TEST.
(load "rt-package.lsp")
(load "rt.lsp")
(load "cl-test-package.lsp")
