"""End-to-end round trips of numbers through the printer and the reader
(CLHS 22.1.3.1, 2.3.2; issue 8 item 1):

- random doubles and singles (random bit patterns: normals, denormals, both
  signs) are built exactly from their integer decoding, printed by PRIN1 and
  read back: the text must denote the same bits (checked by Python's own
  correctly rounded parser) and READ must give an EQL float;
- Python's shortest decimal text of random doubles must read as the same bits;
- random integers up to a few thousand bits, and ratios with big parts, are
  read and printed in several bases (*READ-BASE* / *PRINT-BASE*) and must
  come back digit for digit, in lowest terms.

Python's int, fractions and struct are the oracle.  The sample is seeded:
a failure names the value and reproduces.

Run alone:  PETREL_BIN=build/petrel /usr/bin/python3 -m pytest -q tests/e2e/test_numbers.py
"""
import random
import struct
from fractions import Fraction

from test_cli import run, script

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def to_base(n, base):
    if n == 0:
        return "0"
    sign, n, out = "-" if n < 0 else "", abs(n), []
    while n:
        n, d = divmod(n, base)
        out.append(DIGITS[d])
    return sign + "".join(reversed(out))


def lisp_lines(tmp_path, text):
    r = run(["--script", script(tmp_path, text)], timeout=120, torture=False)
    assert r.rc == 0, r
    return [line for line in r.out.splitlines() if line.strip()]


def decode(value, fmt):
    """(mantissa, exponent) with value = mantissa * 2^exponent, mantissa an integer."""
    f = Fraction(value)
    m, e = f.numerator, 0
    d = f.denominator
    while d > 1:
        d //= 2
        e -= 1
    while m and m % 2 == 0 and e < 0:
        m //= 2
        e += 1
    return m, e


def random_floats(rng, n, single):
    out = []
    while len(out) < n:
        if single:
            bits = rng.getrandbits(32)
            (v,) = struct.unpack("<f", struct.pack("<I", bits))
        else:
            bits = rng.getrandbits(64)
            (v,) = struct.unpack("<d", struct.pack("<Q", bits))
        if v != v or v in (float("inf"), float("-inf")):
            continue
        out.append(v)
    return out


def float_bits(v, single):
    return struct.pack("<f", v) if single else struct.pack("<d", v)


def parse_lisp_float(text, single):
    t = text.strip().lower().replace("d", "e").replace("f", "e")
    return struct.unpack("<f", struct.pack("<f", float(t)))[0] if single else float(t)


def check_float_round_trip(tmp_path, single, seed):
    rng = random.Random(seed)
    values = random_floats(rng, 1500, single) + [0.0, -0.0, 1.0, -1.0]
    values += [struct.unpack("<d", struct.pack("<Q", 1))[0]] if not single else \
        [struct.unpack("<f", struct.pack("<I", 1))[0]]
    proto = "1.0" if single else "1d0"
    lines = ["(defun rt (m e neg)"
             f"  (let* ((x (scale-float (float m {proto}) e)) (x (if neg (- x) x))"
             "         (s (prin1-to-string x)))"
             "    (format t \"~A ~A~%\" s (if (eql x (read-from-string s)) :ok :differs))))"]
    for v in values:
        m, e = decode(abs(v), single)
        neg = "t" if (struct.unpack("<Q", struct.pack("<d", v))[0] >> 63) else "nil"
        lines.append(f"(rt {m} {e} {neg})")
    out = lisp_lines(tmp_path, "\n".join(lines) + "\n")
    assert len(out) == len(values), out[-5:]
    bad = []
    for v, line in zip(values, out):
        text, verdict = line.rsplit(" ", 1)
        back = parse_lisp_float(text, single)
        if verdict != "OK" or float_bits(back, single) != float_bits(v, single):
            bad.append(f"{v!r}: printed {text} ({verdict}), which denotes {back!r}")
    assert not bad, "\n".join(bad[:20])


def test_double_print_read_round_trip(tmp_path):
    check_float_round_trip(tmp_path, single=False, seed=1201)


def test_single_print_read_round_trip(tmp_path):
    check_float_round_trip(tmp_path, single=True, seed=1202)


def test_shortest_decimal_reads_exactly(tmp_path):
    """Python's repr is the shortest text that round-trips: Petrel's reader
    must map it to the very same double."""
    rng = random.Random(1203)
    values = random_floats(rng, 1500, single=False)
    lines = ["(defun dec (x) (multiple-value-bind (m e s) (integer-decode-float x)"
             " (format t \"~D ~D ~D~%\" m e s)))"]
    for v in values:
        lines.append(f"(dec {repr(v).replace('e', 'd') if 'e' in repr(v) else repr(v) + 'd0'})")
    out = lisp_lines(tmp_path, "\n".join(lines) + "\n")
    assert len(out) == len(values), out[-5:]
    bad = []
    for v, line in zip(values, out):
        m, e, s = (int(t) for t in line.split())
        if Fraction(s * m) * Fraction(2) ** e != Fraction(v):
            bad.append(f"{v!r} read as {s}*{m}*2^{e}")
    assert not bad, "\n".join(bad[:20])


BASES = [2, 3, 7, 8, 10, 16, 36]


def test_bignum_read_print_round_trip(tmp_path):
    rng = random.Random(1204)
    cases = []
    for i in range(300):
        bits = rng.choice([8, 61, 62, 63, 64, 65, 127, 128, 129, 500, 3000])
        n = rng.getrandbits(bits) * rng.choice([1, -1])
        cases.append((n, rng.choice(BASES)))
    cases += [(2 ** 61, 10), (-(2 ** 61), 10), (-(2 ** 61) - 1, 10), (2 ** 61 - 1, 16), (2 ** 64, 2)]
    lines = ["(defun rt (base text)"
             "  (let ((x (let ((*read-base* base)) (read-from-string text))))"
             "    (format t \"~A ~A ~A~%\" (let ((*print-base* base)) (prin1-to-string x))"
             "            (prin1-to-string x) (if (typep x 'fixnum) :fixnum :bignum))))"]
    for n, base in cases:
        lines.append(f'(rt {base} "{to_base(n, base)}")')
    out = lisp_lines(tmp_path, "\n".join(lines) + "\n")
    assert len(out) == len(cases), out[-5:]
    fixnum_max = 2 ** 61 - 1
    bad = []
    for (n, base), line in zip(cases, out):
        in_base, decimal, kind = line.split()
        want_kind = "FIXNUM" if -fixnum_max - 1 <= n <= fixnum_max else "BIGNUM"
        if in_base != to_base(n, base) or decimal != str(n) or kind != want_kind:
            bad.append(f"{n} in base {base}: got {line}")
    assert not bad, "\n".join(bad[:20])


def test_big_ratio_read_print_round_trip(tmp_path):
    rng = random.Random(1205)
    cases = []
    for i in range(200):
        num = rng.getrandbits(rng.choice([10, 70, 300])) * rng.choice([1, -1])
        den = rng.getrandbits(rng.choice([10, 70, 300])) + 1
        cases.append((num, den, rng.choice(BASES)))
    lines = ["(defun rt (base text)"
             "  (let ((x (let ((*read-base* base)) (read-from-string text))))"
             "    (format t \"~A ~A~%\" (let ((*print-base* base)) (prin1-to-string x)) (prin1-to-string x))))"]
    for num, den, base in cases:
        lines.append(f'(rt {base} "{to_base(num, base)}/{to_base(den, base)}")')
    out = lisp_lines(tmp_path, "\n".join(lines) + "\n")
    assert len(out) == len(cases), out[-5:]
    bad = []
    for (num, den, base), line in zip(cases, out):
        f = Fraction(num, den)
        want_base = to_base(f.numerator, base) + ("" if f.denominator == 1 else "/" + to_base(f.denominator, base))
        want_dec = str(f.numerator) + ("" if f.denominator == 1 else "/" + str(f.denominator))
        if line != f"{want_base} {want_dec}":
            bad.append(f"{num}/{den} in base {base}: got {line}, want {want_base} {want_dec}")
    assert not bad, "\n".join(bad[:20])
