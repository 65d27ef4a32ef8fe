(load "hang/tests.lsp")
