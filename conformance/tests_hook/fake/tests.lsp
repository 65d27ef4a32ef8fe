(in-package "CL-TEST")

(deftest fake-car.1 (car '(1 2)) 1)
(deftest fake-plus.1 (+ 1 2) 3)
(deftest fake-wrong.1 (list 1 2) (1 3))   ; fails on purpose
