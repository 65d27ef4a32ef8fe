(load "fake/tests.lsp")
