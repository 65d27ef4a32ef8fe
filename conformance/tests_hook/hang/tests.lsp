(in-package "CL-TEST")

(deftest fake-quick.1 (+ 2 2) 4)
(deftest fake-wrong.2 (* 2 3) 7)          ; fails on purpose
(deftest fake-hang.1 (do () (nil)) t)     ; never ends: the hook's timeout
