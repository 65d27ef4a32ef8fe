/* lisp/format.c — FORMAT (CLHS 22.3).
 *
 * The control string is interpreted directly, without a compile step: a
 * directive is parsed where it stands (~params modifiers char), then run by
 * its handler, found through a table indexed by the directive character.
 * Bracketing directives (~[ ~{ ~( ) locate their clauses with
 * fmt_find_clauses, which parses without consuming arguments, and set the
 * resume position past their closing directive.
 *
 * ~^ is an "outcome" passed back up: UP_AND_OUT ends the innermost ~{
 * iteration step or the whole FORMAT, UP_ALL (~:^) ends an enclosing ~:{.
 *
 * ~< ~> justification, logical blocks and the pretty-printing directives
 * live in format_justify.c (format_impl.h is what the two share).
 *
 * Errors (unknown directive, missing argument, unbalanced brackets) signal
 * PETREL-EXT:FORMAT-ERROR, an ERROR whose message gives the position and
 * shows the control string with a caret under it.  The control string is a Lisp string; the GC does
 * not move objects, so a pointer to its characters stays valid while the
 * Fmt record (on this C stack, scanned conservatively) references it.
 * No global mutable state; any thread. */
#include "lisp/lisp.h"
#include "lisp/printer_impl.h"
#include "lisp/array_impl.h"
#include "lisp/format_impl.h"

#include <math.h>
#include <stdlib.h>
#include <wctype.h>



/* ---- Errors ---- */

__attribute__((format(printf, 3, 4)))
_Noreturn void fmt_error(Fmt *f, size_t pos, const char *msg, ...) {
    char text[256], ctl[512], caret[300];
    va_list ap;
    va_start(ap, msg);
    vsnprintf(text, sizeof text, msg, ap);
    va_end(ap);
    /* Show at most 200 characters, starting near the error. */
    size_t from = pos > 160 ? pos - 160 : 0;
    size_t to = f->len < from + 200 ? f->len : from + 200;
    size_t k = 0;
    for (size_t i = from; i < to && k + 5 < sizeof ctl; i++) {
        uint32_t c = f->s[i];
        ctl[k++] = (c == '\n') ? ' ' : (c < 128 ? (char)c : '?');
    }
    ctl[k] = 0;
    size_t col = pos - from;
    if (col > sizeof caret - 2) col = sizeof caret - 2;
    memset(caret, ' ', col);
    caret[col] = '^';
    caret[col + 1] = 0;
    cond_error_of_type(f->tc, S(FORMAT_ERROR), "error in FORMAT at position %zu: %s\n  %s\n  %s", pos, text, ctl, caret);
}

/* ---- Arguments ---- */

/* In a logical block (~<...~:>) arguments are popped as by PPRINT-POP: a
 * dotted tail prints as ". x", a tail shared under *print-circle* as
 * ". #n#", *print-length* as "..."; each ends the
 * block (a->cut), and what the directive prints after that is discarded. */
static bool block_pop_cut(Fmt *f, Args *a) {
    if (a->length_left < 0) return false;
    bool shared = a->index > 0 && cons_p(a->rest) && pr_circle_shared_p(f->tc, a->rest);
    if ((a->rest != NIL && !cons_p(a->rest)) || shared) {   /* ". tail" or ". #n#" */
        fmt_out_char(f, '.', 1);
        fmt_out_char(f, ' ', 1);
        pr_write(f->tc, a->rest, f->stream);
    } else if (a->length_left == 0 && a->rest != NIL) {
        stm_write_cstr(f->tc, f->stream, "...");
    } else {
        if (a->rest != NIL) a->length_left--;
        return false;
    }
    a->cut = true;
    f->stream = stm_make_string_output(f->tc);
    return true;
}

LispObj fmt_next_arg(Fmt *f, Directive *d, Args *a) {
    if (block_pop_cut(f, a)) return NIL;
    if (!cons_p(a->rest)) fmt_error(f, d->start, "no more arguments");
    LispObj x = CAR(a->rest);
    a->rest = CDR(a->rest);
    a->index++;
    return x;
}

static size_t args_left(const Args *a) {
    size_t n = 0;
    for (LispObj x = a->rest; cons_p(x) && n < ((size_t)1 << 40); x = CDR(x)) n++;
    return n;
}

static void goto_arg(Fmt *f, Directive *d, Args *a, int64_t n) {
    if (n < 0) fmt_error(f, d->start, "cannot back up past the first argument");
    LispObj x = a->all;
    for (int64_t i = 0; i < n; i++) {
        if (!cons_p(x)) fmt_error(f, d->start, "argument index %lld is out of range", (long long)n);
        x = CDR(x);
    }
    a->rest = x;
    a->index = (size_t)n;
}

Args fmt_args_over(LispObj list, const LispObj *outer) {
    return (Args){ .all = list, .rest = list, .index = 0, .outer = outer, .length_left = -1 };
}

/* ---- Parsing a directive ---- */

static uint32_t upcase(uint32_t c) { return c < 128 && c >= 'a' && c <= 'z' ? c - 32 : c; }

/* A V parameter takes its value from the arguments (scan-only parses, with
 * a == NULL, leave it unsupplied). */
static Param param_from_arg(Fmt *f, Directive *d, Args *a) {
    if (!a) return (Param){ P_NONE, 0 };
    LispObj x = fmt_next_arg(f, d, a);
    if (x == NIL) return (Param){ P_NONE, 0 };
    if (fx_p(x)) return (Param){ P_INT, fx_value(x) };
    if (char_p(x)) return (Param){ P_CHAR, char_code(x) };
    fmt_error(f, d->start, "a V parameter must be an integer or character");
}

static size_t parse_int(Fmt *f, size_t i, Param *out) {
    bool neg = f->s[i] == '-';
    if (f->s[i] == '+' || f->s[i] == '-') i++;
    int64_t v = 0;
    while (i < f->len && f->s[i] >= '0' && f->s[i] <= '9') {
        if (v < INT64_MAX / 10 - 10) v = v * 10 + (f->s[i] - '0');
        i++;
    }
    *out = (Param){ P_INT, neg ? -v : v };
    return i;
}

static size_t parse_param(Fmt *f, Directive *d, Args *a, size_t i, Param *p) {
    uint32_t c = f->s[i];
    *p = (Param){ P_NONE, 0 };
    if ((c >= '0' && c <= '9') || ((c == '+' || c == '-') && i + 1 < f->len)) return parse_int(f, i, p);
    if (c == '\'') {
        if (i + 1 >= f->len) fmt_error(f, i, "control string ends inside a parameter");
        *p = (Param){ P_CHAR, f->s[i + 1] };
        return i + 2;
    }
    if (c == 'v' || c == 'V') { *p = param_from_arg(f, d, a); return i + 1; }
    if (c == '#') { *p = (Param){ P_INT, a ? (int64_t)args_left(a) : 0 }; return i + 1; }
    return i;
}

/* Parses the directive whose ~ is at position i. */
void fmt_parse_directive(Fmt *f, size_t i, Args *a, Directive *d) {
    memset(d, 0, sizeof *d);
    d->start = i++;
    for (;;) {
        if (i >= f->len) fmt_error(f, d->start, "control string ends inside a directive");
        Param p;
        i = parse_param(f, d, a, i, &p);
        if (d->nparams >= MAX_PARAMS) fmt_error(f, i, "too many parameters");
        bool comma = i < f->len && f->s[i] == ',';
        if (comma || p.kind != P_NONE || d->nparams > 0) d->params[d->nparams++] = p;
        if (!comma) break;
        i++;
    }
    for (; i < f->len && (f->s[i] == ':' || f->s[i] == '@'); i++) {
        if (f->s[i] == ':') d->colon = true; else d->at = true;
    }
    if (i >= f->len) fmt_error(f, d->start, "control string ends inside a directive");
    d->ch = upcase(f->s[i++]);
    if (d->ch == '/') {
        d->name_start = i;
        while (i < f->len && f->s[i] != '/') i++;
        if (i >= f->len) fmt_error(f, d->start, "no closing / in ~/name/");
        d->name_end = i++;
    }
    d->end = i;
}

int64_t fmt_int_param(Fmt *f, Directive *d, int i, int64_t dflt) {
    if (i >= d->nparams || d->params[i].kind == P_NONE) return dflt;
    if (d->params[i].kind != P_INT) fmt_error(f, d->start, "parameter %d must be an integer", i + 1);
    return d->params[i].v;
}

bool fmt_has_param(Directive *d, int i) { return i < d->nparams && d->params[i].kind != P_NONE; }

uint32_t fmt_char_param(Fmt *f, Directive *d, int i, uint32_t dflt) {
    if (i >= d->nparams || d->params[i].kind == P_NONE) return dflt;
    if (d->params[i].kind != P_CHAR) fmt_error(f, d->start, "parameter %d must be a character", i + 1);
    return (uint32_t)d->params[i].v;
}

/* ---- Clauses of bracketing directives ---- */

static uint32_t closer_of(uint32_t open) {
    switch (open) {
    case '[': return ']';
    case '{': return '}';
    case '(': return ')';
    case '<': return '>';
    default: return 0;
    }
}

/* Finds the clauses between the opening directive (ending at `from`) and its
 * matching closer; *close gets the closing directive. */
int fmt_find_clauses(Fmt *f, size_t from, uint32_t open, Clause *cl, Directive *close) {
    uint32_t want = closer_of(open);
    int n = 0, depth = 0;
    cl[0] = (Clause){ from, 0, false, false, 0 };
    for (size_t i = from; i < f->len; i++) {
        if (f->s[i] != '~') continue;
        Directive d;
        fmt_parse_directive(f, i, NULL, &d);
        if (closer_of(d.ch)) depth++;
        else if (d.ch == ']' || d.ch == '}' || d.ch == ')' || d.ch == '>') {
            if (depth == 0) {
                if (d.ch != want) fmt_error(f, d.start, "~%c does not match ~%c", (char)d.ch, (char)open);
                cl[n++].end = d.start;
                *close = d;
                return n;
            }
            depth--;
        } else if (d.ch == ';' && depth == 0) {
            if (n + 1 >= MAX_CLAUSES) fmt_error(f, d.start, "too many clauses");
            cl[n++].end = d.start;
            cl[n] = (Clause){ d.end, 0, d.colon, d.at, d.start };
        }
        i = d.end - 1;
    }
    fmt_error(f, from > 0 ? from - 1 : 0, "no matching ~%c", (char)want);
}

/* ---- Output helpers ---- */

void fmt_out_char(Fmt *f, uint32_t c, int64_t n) {
    for (int64_t i = 0; i < n; i++) stm_write_char(f->tc, f->stream, c);
}

static void out_cstr(Fmt *f, const char *s) { stm_write_cstr(f->tc, f->stream, s); }

void fmt_out_lstr(Fmt *f, LispObj s) { stm_write_string(f->tc, f->stream, s, 0, str_length(s)); }

/* Prints obj under opts into a fresh string. */
LispObj fmt_print_to_string(Fmt *f, LispObj obj, const PrOptions *o) {
    LispObj s = stm_make_string_output(f->tc);
    pr_print_with(f->tc, obj, s, o);
    return stm_get_output_string(f->tc, s);
}

/* CLHS 22.3.4.1 padding: at least minpad pad characters, then colinc at a
 * time until mincol is reached; on the left if left. */
static void out_padded(Fmt *f, LispObj s, int64_t mincol, int64_t colinc, int64_t minpad,
                       uint32_t padchar, bool left) {
    int64_t len = (int64_t)str_length(s), pad = minpad < 0 ? 0 : minpad;
    if (colinc < 1) colinc = 1;
    while (len + pad < mincol) pad += colinc;
    if (left) fmt_out_char(f, padchar, pad);
    fmt_out_lstr(f, s);
    if (!left) fmt_out_char(f, padchar, pad);
}

/* ---- ~A ~S ~W ---- */

static int print_arg(Fmt *f, Directive *d, Args *a, bool escape) {
    LispObj x = fmt_next_arg(f, d, a);
    PrOptions o;
    pr_options_from_specials(f->tc, &o);
    o.escape = escape;
    if (!escape) o.readably = false;
    if (d->colon && x == NIL) {
        x = str_from_cstr(f->tc, "()");
        o.escape = false;
    }
    if (d->nparams == 0) {
        pr_print_with(f->tc, x, f->stream, &o);
        return GO_ON;
    }
    LispObj s = fmt_print_to_string(f, x, &o);
    out_padded(f, s, fmt_int_param(f, d, 0, 0), fmt_int_param(f, d, 1, 1), fmt_int_param(f, d, 2, 0),
               fmt_char_param(f, d, 3, ' '), d->at);
    return GO_ON;
}

/* ~W: WRITE under the current printer variables; ~:W pretty, ~@W without
 * *print-level* and *print-length* (CLHS 22.3.4.3). */
static int dir_w(Fmt *f, Directive *d, Args *a) {
    LispObj x = fmt_next_arg(f, d, a);
    if (d->nparams > 0) fmt_error(f, d->start, "~W takes no parameters");
    size_t mark = f->tc->bind_top;
    if (d->colon) sym_bind(f->tc, S(STAR_PRINT_PRETTY), T);
    if (d->at) {
        sym_bind(f->tc, S(STAR_PRINT_LEVEL), NIL);
        sym_bind(f->tc, S(STAR_PRINT_LENGTH), NIL);
    }
    pr_write(f->tc, x, f->stream);
    sym_unbind_to(f->tc, mark);
    return GO_ON;
}

static int dir_a(Fmt *f, Directive *d, Args *a) { return print_arg(f, d, a, false); }
static int dir_s(Fmt *f, Directive *d, Args *a) { return print_arg(f, d, a, true); }

/* ---- Integers: ~D ~B ~O ~X ~R ---- */

/* Digits with a comma every `interval` digits from the right. */
static LispObj with_commas(Fmt *f, LispObj digits, uint32_t comma, int64_t interval) {
    size_t n = str_length(digits);
    bool neg = n > 0 && STR(digits)->chars[0] == '-';
    size_t nd = n - neg, groups = interval > 0 ? (nd - 1) / (size_t)interval : 0;
    LispObj out = str_make(f->tc, n + groups, comma);
    size_t j = n + groups;
    for (size_t i = 0; i < nd; i++) {
        if (interval > 0 && i > 0 && i % (size_t)interval == 0) j--;
        STR(out)->chars[--j] = STR(digits)->chars[n - 1 - i];
    }
    if (neg) STR(out)->chars[0] = '-';
    return out;
}

static LispObj prefix_plus(Fmt *f, LispObj s) {
    LispObj out = str_make(f->tc, str_length(s) + 1, '+');
    memcpy(STR(out)->chars + 1, STR(s)->chars, str_length(s) * sizeof(uint32_t));
    return out;
}

/* params[first..]: mincol, padchar, commachar, comma-interval */
static int format_integer(Fmt *f, Directive *d, Args *a, int base, int first) {
    LispObj x = fmt_next_arg(f, d, a);
    int64_t mincol = fmt_int_param(f, d, first, 0);
    uint32_t padchar = fmt_char_param(f, d, first + 1, ' ');
    if (!integer_p(x)) {
        PrOptions o;
        pr_options_from_specials(f->tc, &o);
        o.escape = false; o.readably = false; o.radix = false; o.base = base;
        out_padded(f, fmt_print_to_string(f, x, &o), mincol, 1, 0, padchar, true);
        return GO_ON;
    }
    LispObj s = pr_integer_to_string(f->tc, x, base);
    if (d->colon) s = with_commas(f, s, fmt_char_param(f, d, first + 2, ','), fmt_int_param(f, d, first + 3, 3));
    if (d->at && STR(s)->chars[0] != '-') s = prefix_plus(f, s);
    out_padded(f, s, mincol, 1, 0, padchar, true);
    return GO_ON;
}

static int dir_d(Fmt *f, Directive *d, Args *a) { return format_integer(f, d, a, 10, 0); }
static int dir_b(Fmt *f, Directive *d, Args *a) { return format_integer(f, d, a, 2, 0); }
static int dir_o(Fmt *f, Directive *d, Args *a) { return format_integer(f, d, a, 8, 0); }
static int dir_x(Fmt *f, Directive *d, Args *a) { return format_integer(f, d, a, 16, 0); }

/* ---- ~R in words and Roman numerals ---- */

static const char *const ones[20] = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
};
static const char *const tens[10] = {
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
};
static const char *const scales[] = {
    "", " thousand", " million", " billion", " trillion", " quadrillion", " quintillion",
    " sextillion", " septillion", " octillion", " nonillion", " decillion", " undecillion",
    " duodecillion", " tredecillion", " quattuordecillion", " quindecillion", " sexdecillion",
    " septendecillion", " octodecillion", " novemdecillion", " vigintillion",
};
enum { N_SCALES = sizeof scales / sizeof scales[0] };
/* Irregular ordinals; others add "th" (and y → ieth). */
static const struct { const char *card, *ord; } ordinals[] = {
    {"one", "first"}, {"two", "second"}, {"three", "third"}, {"five", "fifth"},
    {"eight", "eighth"}, {"nine", "ninth"}, {"twelve", "twelfth"},
};

static void words_below_1000(char *buf, size_t cap, unsigned n) {
    size_t k = strlen(buf);
    if (n >= 100) {
        k += (size_t)snprintf(buf + k, cap - k, "%s%s hundred", k ? " " : "", ones[n / 100]);
        n %= 100;
        if (n == 0) return;
    }
    const char *sep = k ? " " : "";
    if (n < 20) snprintf(buf + k, cap - k, "%s%s", sep, ones[n]);
    else if (n % 10 == 0) snprintf(buf + k, cap - k, "%s%s", sep, tens[n / 10]);
    else snprintf(buf + k, cap - k, "%s%s-%s", sep, tens[n / 10], ones[n % 10]);
}

/* English words of the decimal digits dec (no sign); false if the number is
 * too large to name (10^66 and up, as in SBCL). */
static bool cardinal(char *buf, size_t cap, const char *dec) {
    buf[0] = 0;
    while (dec[0] == '0' && dec[1]) dec++;
    size_t len = strlen(dec), top = (len + 2) / 3;
    if (top > N_SCALES) return false;
    if (strcmp(dec, "0") == 0) { snprintf(buf, cap, "zero"); return true; }
    for (size_t g = top; g-- > 0;) {
        size_t end = len - 3 * g, start = end >= 3 ? end - 3 : 0;
        unsigned group = 0;
        for (size_t i = start; i < end; i++) group = group * 10 + (unsigned)(dec[i] - '0');
        if (group == 0) continue;
        words_below_1000(buf, cap, group);
        size_t k = strlen(buf);
        snprintf(buf + k, cap - k, "%s", scales[g]);
    }
    return true;
}

static void make_ordinal(char *buf, size_t cap) {
    char *last = strrchr(buf, ' ');
    char *hy = strrchr(buf, '-');
    char *word = (hy && (!last || hy > last)) ? hy + 1 : last ? last + 1 : buf;
    for (size_t i = 0; i < sizeof ordinals / sizeof ordinals[0]; i++) {
        if (strcmp(word, ordinals[i].card) == 0) {
            snprintf(word, cap - (size_t)(word - buf), "%s", ordinals[i].ord);
            return;
        }
    }
    size_t k = strlen(buf);
    if (k > 0 && buf[k - 1] == 'y') snprintf(buf + k - 1, cap - k + 1, "ieth");
    else snprintf(buf + k, cap - k, "th");
}

static void roman(char *buf, int64_t n, bool old) {
    static const struct { int v; const char *s; } digits[] = {
        {1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"},
        {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"},
    };
    buf[0] = 0;
    for (size_t i = 0; i < sizeof digits / sizeof digits[0]; i++) {
        if (old && strlen(digits[i].s) == 2) continue;  /* old Roman: IIII, no IV */
        for (; n >= digits[i].v; n -= digits[i].v) strcat(buf, digits[i].s);
    }
}

static int dir_r(Fmt *f, Directive *d, Args *a) {
    if (fmt_has_param(d, 0)) {
        int64_t base = fmt_int_param(f, d, 0, 10);
        if (base < 2 || base > 36) fmt_error(f, d->start, "radix %lld is not in 2..36", (long long)base);
        return format_integer(f, d, a, (int)base, 1);
    }
    LispObj x = fmt_next_arg(f, d, a);
    if (!integer_p(x)) fmt_error(f, d->start, "~R without a radix needs an integer argument");
    char buf[2048];
    if (d->at) {
        int64_t n = fx_p(x) ? fx_value(x) : 0;
        if (n < 1 || n > (d->colon ? 4999 : 3999)) fmt_error(f, d->start, "the argument cannot be written in Roman numerals (1..%d)", d->colon ? 4999 : 3999);
        roman(buf, n, d->colon);
    } else {
        LispObj digits = pr_integer_to_string(f->tc, x, 10);
        char dec[256];
        str_to_utf8(digits, dec, sizeof dec);
        bool neg = dec[0] == '-';
        size_t k = (size_t)snprintf(buf, sizeof buf, "%s", neg ? "negative " : "");
        if (strlen(dec) > 100 || !cardinal(buf + k, sizeof buf - k, dec + neg))
            fmt_error(f, d->start, "the argument is too large to be written in English (10^66 and up)");
        if (d->colon) make_ordinal(buf + k, sizeof buf - k);
    }
    out_cstr(f, buf);
    return GO_ON;
}

/* ---- ~C ~% ~& ~| ~~ ~newline ~T ---- */

static int dir_c(Fmt *f, Directive *d, Args *a) {
    LispObj x = fmt_next_arg(f, d, a);
    if (!char_p(x)) cond_type_error(f->tc, x, S(CHARACTER));
    if (d->at && !d->colon) {
        pr_prin1(f->tc, x, f->stream);
        return GO_ON;
    }
    uint32_t c = char_code(x);
    bool graphic = c > ' ' && c != 127 && !(c >= 128 && c < 160);
    if (d->colon && !graphic) {   /* a non-graphic character: the name CHAR-NAME gives */
        LispObj sym = pkg_find_symbol(f->tc, str_from_cstr(f->tc, "CHAR-NAME"), pkg_common_lisp, &(LispObj){NIL});
        LispObj fn = symbol_p(sym) ? sym_function(sym) : LISP_UNBOUND;
        LispObj name = function_p(fn) ? vm_funcall1(f->tc, fn, x) : NIL;
        if (string_p(name)) { fmt_out_lstr(f, name); return GO_ON; }
        const char *cname = pr_char_name(char_code(x));
        if (cname) { out_cstr(f, cname); return GO_ON; }
    }
    stm_write_char(f->tc, f->stream, char_code(x));
    return GO_ON;
}

static int dir_percent(Fmt *f, Directive *d, Args *a) { fmt_out_char(f, '\n', fmt_int_param(f, d, 0, 1)); return GO_ON; }
static int dir_bar(Fmt *f, Directive *d, Args *a) { fmt_out_char(f, '\f', fmt_int_param(f, d, 0, 1)); return GO_ON; }
static int dir_tilde(Fmt *f, Directive *d, Args *a) { fmt_out_char(f, '~', fmt_int_param(f, d, 0, 1)); return GO_ON; }

static int dir_ampersand(Fmt *f, Directive *d, Args *a) {
    int64_t n = fmt_int_param(f, d, 0, 1);
    if (n <= 0) return GO_ON;
    stm_fresh_line(f->tc, f->stream);
    fmt_out_char(f, '\n', n - 1);
    return GO_ON;
}

/* ~newline skips the newline and (unless :) the blanks after it. */
static int dir_newline(Fmt *f, Directive *d, Args *a) {
    if (d->at) fmt_out_char(f, '\n', 1);
    if (!d->colon)
        while (d->end < f->len && (f->s[d->end] == ' ' || f->s[d->end] == '\t')) d->end++;
    return GO_ON;
}

/* ~T; ~:T and any ~T inside a logical block are PPRINT-TAB (CLHS 22.3.6.1). */
static int dir_t(Fmt *f, Directive *d, Args *a) {
    int64_t n = fmt_int_param(f, d, 0, 1), inc = fmt_int_param(f, d, 1, 1), pad;
    if (d->colon || fmt_pretty_stream_p(f->tc, f->stream)) {
        fmt_pprint_tab(f, (d->colon ? 2 : 0) + (d->at ? 1 : 0), n, inc);
        return GO_ON;
    }
    int64_t col = (int64_t)stm_column(f->stream);
    if (d->at) {
        int64_t cur = col + (n > 0 ? n : 0);
        pad = (n > 0 ? n : 0) + (inc > 0 ? (inc - cur % inc) % inc : 0);
    } else if (col < n) {
        pad = n - col;
    } else {
        pad = inc > 0 ? inc - (col - n) % inc : 0;
    }
    fmt_out_char(f, ' ', pad);
    return GO_ON;
}


/* ---- ~* ~P ~? ~^ ---- */

static int dir_star(Fmt *f, Directive *d, Args *a) {
    if (d->at) goto_arg(f, d, a, fmt_int_param(f, d, 0, 0));
    else if (d->colon) goto_arg(f, d, a, (int64_t)a->index - fmt_int_param(f, d, 0, 1));
    else for (int64_t i = fmt_int_param(f, d, 0, 1); i > 0; i--) fmt_next_arg(f, d, a);
    return GO_ON;
}

static int dir_p(Fmt *f, Directive *d, Args *a) {
    if (d->colon) goto_arg(f, d, a, (int64_t)a->index - 1);
    bool one = fmt_next_arg(f, d, a) == fx_make(1);
    out_cstr(f, d->at ? (one ? "y" : "ies") : (one ? "" : "s"));
    return GO_ON;
}

/* Runs a format control given as an argument: a string (its ~^ ends only
 * that string), or a function as made by FORMATTER, called with the stream
 * and the arguments and returning those it did not use. */
static int run_control(Fmt *f, LispObj control, Args *a) {
    if (function_p(control)) {
        size_t n = args_left(a);
        LispObj row = vec_make(f->tc, n + 1, NIL);   /* fresh: init stores */
        gc_init_store(&VEC(row)->items[0], f->stream);
        size_t i = 1;
        for (LispObj x = a->rest; i <= n; x = CDR(x)) gc_init_store(&VEC(row)->items[i++], CAR(x));
        LispObj left = vm_funcall(f->tc, control, n + 1, VEC(row)->items);
        a->index += n - (list_p(left) ? lisp_list_length(f->tc, left) : 0);
        a->rest = list_p(left) ? left : NIL;
        return GO_ON;
    }
    if (!arr_string_p(control)) cond_type_error(f->tc, control, S(STRING));
    control = arr_simple_string(f->tc, control);
    Fmt sub = { f->tc, control, STR(control)->chars, str_length(control), f->stream, false };
    return fmt_interpret(&sub, 0, sub.len, a);
}

static int run_sub(Fmt *f, Directive *d, LispObj control, Args *a) {
    run_control(f, control, a);
    return GO_ON;
}

static int dir_question(Fmt *f, Directive *d, Args *a) {
    LispObj control = fmt_next_arg(f, d, a);
    if (d->at) return run_sub(f, d, control, a);
    LispObj list = fmt_next_arg(f, d, a);
    if (!list_p(list)) cond_type_error(f->tc, list, S(LIST_TYPE));
    Args sub = fmt_args_over(list, NULL);
    return run_sub(f, d, control, &sub);
}

static int dir_caret(Fmt *f, Directive *d, Args *a) {
    bool stop;
    int64_t p0 = fmt_int_param(f, d, 0, 0), p1 = fmt_int_param(f, d, 1, 0), p2 = fmt_int_param(f, d, 2, 0);
    if (fmt_has_param(d, 2)) stop = p0 <= p1 && p1 <= p2;
    else if (fmt_has_param(d, 1)) stop = p0 == p1;
    else if (fmt_has_param(d, 0)) stop = p0 == 0;
    else if (d->colon) {
        if (!a->outer) fmt_error(f, d->start, "~:^ outside ~:{");
        stop = !cons_p(*a->outer);
    } else stop = a->length_left >= 0 ? a->rest == NIL : !cons_p(a->rest);  /* a block: dotted tails print */
    if (!stop) return GO_ON;
    return d->colon ? UP_ALL : UP_AND_OUT;
}

/* ---- ~[ ---- */

static int dir_bracket(Fmt *f, Directive *d, Args *a) {
    Clause cl[MAX_CLAUSES];
    Directive close;
    int n = fmt_find_clauses(f, d->end, '[', cl, &close);
    d->end = close.end;
    int chosen = -1;
    if (d->colon) {
        if (n != 2) fmt_error(f, d->start, "~:[ needs exactly two clauses");
        chosen = fmt_next_arg(f, d, a) == NIL ? 0 : 1;
    } else if (d->at) {
        if (n != 1) fmt_error(f, d->start, "~@[ needs exactly one clause");
        if (!cons_p(a->rest)) fmt_error(f, d->start, "no more arguments");
        if (CAR(a->rest) == NIL) { fmt_next_arg(f, d, a); return GO_ON; }
        chosen = 0;   /* the argument stays for the clause to use */
    } else {
        int64_t i = fmt_has_param(d, 0) ? fmt_int_param(f, d, 0, 0) : 0;
        if (!fmt_has_param(d, 0)) {
            LispObj x = fmt_next_arg(f, d, a);
            if (!fx_p(x)) cond_type_error(f->tc, x, S(INTEGER));
            i = fx_value(x);
        }
        bool has_default = n > 0 && cl[n - 1].colon_before;
        int last = has_default ? n - 1 : n;
        chosen = (i >= 0 && i < last) ? (int)i : has_default ? n - 1 : -1;
    }
    if (chosen < 0) return GO_ON;
    return fmt_interpret(f, cl[chosen].start, cl[chosen].end, a);
}

/* ---- ~{ ---- */

/* One pass over the body with args; the body may be a control string argument. */
static int iterate_once(Fmt *f, size_t start, size_t end, LispObj control, Args *a) {
    if (control == NIL) return fmt_interpret(f, start, end, a);
    return run_control(f, control, a);
}

static int dir_brace(Fmt *f, Directive *d, Args *a) {
    Clause cl[MAX_CLAUSES];
    Directive close;
    if (fmt_find_clauses(f, d->end, '{', cl, &close) != 1) fmt_error(f, d->start, "~; inside ~{");
    d->end = close.end;
    LispObj control = NIL;
    if (cl[0].start == cl[0].end) {
        control = fmt_next_arg(f, d, a);
        if (!arr_string_p(control) && !function_p(control)) cond_type_error(f->tc, control, S(STRING));
    }
    int64_t max = fmt_int_param(f, d, 0, -1);
    bool once = close.colon;
    Args own = fmt_args_over(NIL, NULL);
    Args *it = a;
    if (!d->at) {
        LispObj list = fmt_next_arg(f, d, a);
        if (!list_p(list)) cond_type_error(f->tc, list, S(LIST_TYPE));
        own = fmt_args_over(list, NULL);
        it = &own;
    }
    for (int64_t count = 0; max < 0 || count < max; count++) {
        bool more = it->length_left >= 0 ? it->rest != NIL : cons_p(it->rest);
        if (!more && !(once && count == 0)) break;
        int r;
        if (d->colon) {
            LispObj sublist = cons_p(it->rest) ? fmt_next_arg(f, d, it) : NIL;
            if (!list_p(sublist)) cond_type_error(f->tc, sublist, S(LIST_TYPE));
            Args inner = fmt_args_over(sublist, &it->rest);
            r = iterate_once(f, cl[0].start, cl[0].end, control, &inner);
            if (r == UP_ALL) break;
        } else {
            size_t before = it->index;
            r = iterate_once(f, cl[0].start, cl[0].end, control, it);
            if (r != GO_ON) break;
            if (it->index == before && cons_p(it->rest) && max < 0)
                fmt_error(f, d->start, "~{ body consumes no arguments: endless loop");
        }
    }
    return GO_ON;
}

/* ---- ~( case conversion ---- */

static uint32_t up(uint32_t c) { return c < 128 ? upcase(c) : (uint32_t)towupper(c); }
static uint32_t down(uint32_t c) { return c < 128 ? ((c >= 'A' && c <= 'Z') ? c + 32 : c) : (uint32_t)towlower(c); }
static bool word_char(uint32_t c) { return c < 128 ? ((c | 32) - 'a' < 26 || c - '0' < 10) : iswalnum(c); }

/* Converts s in place: ~( down, ~:( Capitalize Words, ~@( Capitalize first, ~:@( UP. */
static void convert_case(LispObj s, bool colon, bool at) {
    bool in_word = false, seen_word = false;
    for (size_t i = 0; i < str_length(s); i++) {
        uint32_t c = STR(s)->chars[i], r;
        bool w = word_char(c), word_start = w && !in_word;
        if (colon && at) r = up(c);
        else if (colon) r = word_start ? up(c) : down(c);
        else if (at) r = (word_start && !seen_word) ? up(c) : down(c);
        else r = down(c);
        seen_word |= word_start;
        in_word = w;
        STR(s)->chars[i] = r;
    }
}

static int dir_paren(Fmt *f, Directive *d, Args *a) {
    Clause cl[MAX_CLAUSES];
    Directive close;
    if (fmt_find_clauses(f, d->end, '(', cl, &close) != 1) fmt_error(f, d->start, "~; inside ~(");
    d->end = close.end;
    LispObj saved = f->stream;
    f->stream = stm_make_string_output(f->tc);
    int r = fmt_interpret(f, cl[0].start, cl[0].end, a);
    LispObj text = stm_get_output_string(f->tc, f->stream);
    f->stream = saved;
    convert_case(text, d->colon, d->at);
    fmt_out_lstr(f, text);
    return r;
}

/* ---- Floats: ~F ~E ~G ~$ ---- */

/* The argument as a float, or false if it is not a real. */
static bool float_arg(LispObj x, double *v, bool *single) {
    if (!real_p(x)) return false;
    *single = !double_float_p(x);
    *v = *single ? (double)(float)pr_real_to_double(x) : pr_real_to_double(x);
    return true;
}

/* Width handling shared by ~F ~E: overflow chars or left padding. */
static void out_field(Fmt *f, const char *body, int64_t w, uint32_t overflow, uint32_t padchar) {
    int64_t len = (int64_t)strlen(body);
    if (w >= 0 && len > w && overflow) { fmt_out_char(f, overflow, w); return; }
    if (w > len) fmt_out_char(f, padchar, w - len);
    out_cstr(f, body);
}

/* Non-numbers (and infinities) are printed as if by ~wD / princ. */
static void out_unfloat(Fmt *f, LispObj x, int64_t w) {
    PrOptions o;
    pr_options_from_specials(f->tc, &o);
    o.escape = false; o.readably = false; o.base = 10; o.radix = false;
    out_padded(f, fmt_print_to_string(f, x, &o), w, 1, 0, ' ', true);
}

static const char *sign_of(double v, bool at) { return signbit(v) ? "-" : at ? "+" : ""; }

/* Digits of |v| from its shortest representation (pr_float_digits): the
 * integer part, the point, then the fraction padded with zeros to d digits
 * (d < 0: as many as needed, at least one). */
static void shortest_fixed(char *buf, size_t cap, const char *digits, size_t n, int e, int64_t d) {
    size_t k = 0;
    if (e <= 0) buf[k++] = '0';
    for (int i = 0; i < e && k + 2 < cap; i++) buf[k++] = (size_t)i < n ? digits[i] : '0';
    buf[k++] = '.';
    int64_t frac = 0;
    for (int i = e < 0 ? e : 0; i < 0 && k + 1 < cap; i++, frac++) buf[k++] = '0';
    for (size_t i = e > 0 ? (size_t)e : 0; i < n && k + 1 < cap; i++, frac++) buf[k++] = digits[i];
    for (; (frac < d || (d < 0 && frac == 0)) && k + 1 < cap; frac++) buf[k++] = '0';
    buf[k] = 0;
}

/* |v| rounded to d fraction digits from its exact binary value, a tie
 * rounding up (as SBCL does: 0.125 → "0.13", 2.5 → "3."). */
static void exact_fixed(char *buf, size_t cap, double v, int64_t d) {
    char exact[1500];   /* a double's expansion has at most 309 + 1074 digits */
    snprintf(exact, sizeof exact, "%.1080f", v);
    char *point = strchr(exact, '.');
    size_t keep = (size_t)(point - exact) + 1 + (size_t)d;
    bool up = exact[keep] >= '5';
    exact[keep] = 0;
    for (size_t i = keep; up && i-- > 0;) {
        if (exact[i] == '.') continue;
        if (exact[i] == '9') { exact[i] = '0'; continue; }
        exact[i]++;
        up = false;
    }
    size_t k = 0, len = strlen(exact);
    if (up && k + 1 < cap) buf[k++] = '1';
    for (size_t i = 0; i < len && k + 1 < cap; i++) buf[k++] = exact[i];
    buf[k] = 0;
}

/* Fixed format of |v| with d digits after the point (d < 0: free format).
 * Digits past those of the shortest representation that reads back are
 * zeros (6.1241e8 prints "612410000.0", not the binary 612409984), as in
 * SBCL; a cut inside them rounds the exact value. */
static void fixed_digits(char *buf, size_t cap, double v, bool single, int64_t d) {
    v = fabs(v);
    if (d > 100) d = 100;
    char digits[32];
    int e = 0;
    size_t n = 0;
    if (v != 0) n = pr_float_digits(v, single, digits, sizeof digits, &e);
    if (v == 0 || d < 0 || d >= (int64_t)n - e) shortest_fixed(buf, cap, digits, n, e, d);
    else exact_fixed(buf, cap, v, d);
}

static void format_fixed(Fmt *f, double v, bool single, int64_t w, int64_t d, int64_t k,
                         uint32_t overflow, uint32_t padchar, bool at) {
    char digits[520], body[540];
    v *= pow(10.0, (double)k);
    const char *sign = sign_of(v, at);
    if (d < 0 && w >= 0) {
        /* As many fraction digits as fit in w (counting no lone leading
         * zero), but none the rounding made trailing zeros. */
        fixed_digits(digits, sizeof digits, v, single, -1);
        bool zero_int = digits[0] == '0' && digits[1] == '.';
        int64_t intlen = zero_int ? 0 : (int64_t)(strchr(digits, '.') - digits);
        int64_t avail = w - (int64_t)strlen(sign) - intlen - 1;
        int64_t have = (int64_t)strlen(strchr(digits, '.') + 1);
        if (avail < have) {
            fixed_digits(digits, sizeof digits, v, single, avail < 0 ? 0 : avail);
            size_t len = strlen(digits);
            while (len > 2 && digits[len - 1] == '0' && digits[len - 2] != '.') digits[--len] = 0;
        }
    } else {
        fixed_digits(digits, sizeof digits, v, single, d);
    }
    const char *start = digits;
    if (w >= 0 && (int64_t)(strlen(sign) + strlen(digits)) > w && digits[0] == '0' && digits[1] == '.')
        start++;   /* "0.5" may drop its leading zero to fit */
    if (strcmp(start, ".") == 0 && overflow && w >= 0) start = "..";  /* no digit at all: overflow */
    snprintf(body, sizeof body, "%s%s", sign, start);
    out_field(f, body, w, overflow, padchar);
}

static int dir_f(Fmt *f, Directive *d, Args *a) {
    LispObj x = fmt_next_arg(f, d, a);
    double v;
    bool single;
    int64_t w = fmt_int_param(f, d, 0, -1);
    if (!float_arg(x, &v, &single) || !isfinite(v)) { out_unfloat(f, x, w); return GO_ON; }
    format_fixed(f, v, single, w, fmt_int_param(f, d, 1, -1), fmt_int_param(f, d, 2, 0),
                 fmt_char_param(f, d, 3, 0), fmt_char_param(f, d, 4, ' '), d->at);
    return GO_ON;
}

/* Mantissa and exponent for ~E: k digits before the point (CLHS 22.3.3.2). */
typedef struct ExpSpec {
    int64_t w, d, e, k;       /* d < 0: as many digits as the value needs */
    uint32_t marker;
    bool at;
} ExpSpec;

/* The ~E text of v under sp into body; false if the exponent needs more
 * than e digits. */
static bool exp_body(char *body, size_t cap, double v, bool single, const ExpSpec *sp) {
    int64_t dd = sp->d, k = sp->k;
    char digits[80];
    int e10 = 1;
    size_t n = 1;
    strcpy(digits, "0");
    if (v != 0) {
        int64_t sig = dd < 0 ? -1 : (k > 0 ? dd + 1 : dd + k);
        if (sig < 0 || sig > 60) n = pr_float_digits(v, single, digits, sizeof digits, &e10);
        else {
            char tmp[100];
            snprintf(tmp, sizeof tmp, "%.*e", (int)(sig > 0 ? sig - 1 : 0), fabs(v));
            n = 0;
            for (char *p = tmp; *p && *p != 'e'; p++) if (*p >= '0' && *p <= '9') digits[n++] = *p;
            digits[n] = 0;
            e10 = atoi(strchr(tmp, 'e') + 1) + 1;
            if (sig == 0) { n = 0; digits[0] = 0; }
        }
    }
    size_t m = 0;
    char mant[120];
    if (k > 0) {
        for (int64_t i = 0; i < k && m < 60; i++) mant[m++] = (size_t)i < n ? digits[i] : '0';
        mant[m++] = '.';
        int64_t after = dd >= 0 ? dd - k + 1 : (int64_t)n - k;
        if (after < 1 && dd < 0) after = 1;
        for (int64_t i = 0; i < after && m < 100; i++) mant[m++] = (size_t)(k + i) < n ? digits[k + i] : '0';
    } else {
        mant[m++] = '0'; mant[m++] = '.';
        for (int64_t i = 0; i < -k && m < 60; i++) mant[m++] = '0';
        for (size_t i = 0; i < n && m < 100; i++) mant[m++] = digits[i];
    }
    mant[m] = 0;
    int64_t ex = v == 0 ? 0 : e10 - k;
    char exps[32];
    snprintf(exps, sizeof exps, "%0*lld", (int)(sp->e > 0 ? (sp->e > 20 ? 20 : sp->e) : 1),
             (long long)(ex < 0 ? -ex : ex));
    const char *sign = sign_of(v, sp->at), *mstart = mant;
    /* "0.x" may drop its leading zero to fit in w */
    if (sp->w >= 0 && mant[0] == '0' && mant[1] == '.' &&
        (int64_t)(strlen(sign) + strlen(mant) + strlen(exps) + 2) > sp->w) mstart++;
    snprintf(body, cap, "%s%s%c%c%s", sign, mstart, (char)sp->marker, ex < 0 ? '-' : '+', exps);
    return !(sp->e >= 0 && (int64_t)strlen(exps) > sp->e);
}

/* Removes trailing zeros of the fraction before the exponent marker. */
static void strip_fraction_zeros(char *body, uint32_t marker) {
    char *point = strchr(body, '.'), *mark = point ? strchr(point, (int)marker) : NULL;
    if (!mark) return;
    char *end = mark;
    while (end > point + 1 && end[-1] == '0') end--;
    memmove(end, mark, strlen(mark) + 1);
}

/* ~E (CLHS 22.3.3.2): k digits before the point; with w and no d, as many
 * fraction digits as fit in w. */
static void format_exponential(Fmt *f, LispObj x, double v, bool single, Directive *d) {
    ExpSpec sp = {
        .w = fmt_int_param(f, d, 0, -1), .d = fmt_int_param(f, d, 1, -1),
        .e = fmt_int_param(f, d, 2, -1), .k = fmt_int_param(f, d, 3, 1), .at = d->at,
    };
    uint32_t overflow = fmt_char_param(f, d, 4, 0), padchar = fmt_char_param(f, d, 5, ' ');
    sp.marker = fmt_char_param(f, d, 6, (uint32_t)pr_float_marker(f->tc, x));
    char body[200];
    bool exp_fits = exp_body(body, sizeof body, v, single, &sp);
    if (sp.d < 0 && sp.w >= 0 && (int64_t)strlen(body) > sp.w) {
        /* fewer fraction digits until it fits (down to none) */
        const char *point = strchr(body, '.'), *mark = strchr(point, (int)sp.marker);
        int64_t frac = mark ? mark - point - 1 : 0, least = sp.k > 0 ? sp.k - 1 : -sp.k;
        for (sp.d = frac + (sp.k > 0 ? sp.k - 1 : 0) - 1; sp.d >= least; sp.d--) {
            exp_fits = exp_body(body, sizeof body, v, single, &sp);
            strip_fraction_zeros(body, sp.marker);   /* the digits are chosen: no trailing zeros */
            if ((int64_t)strlen(body) <= sp.w) break;
        }
    }
    if (!exp_fits && overflow && sp.w >= 0) {  /* exponent wider than e */
        fmt_out_char(f, overflow, sp.w);
        return;
    }
    out_field(f, body, sp.w, overflow, padchar);
}

static int dir_e(Fmt *f, Directive *d, Args *a) {
    LispObj x = fmt_next_arg(f, d, a);
    double v;
    bool single;
    if (!float_arg(x, &v, &single) || !isfinite(v)) { out_unfloat(f, x, fmt_int_param(f, d, 0, -1)); return GO_ON; }
    if (!float_p(x)) x = single_float_make((float)v);
    format_exponential(f, x, v, single, d);
    return GO_ON;
}

static int dir_g(Fmt *f, Directive *d, Args *a) {
    LispObj x = fmt_next_arg(f, d, a);
    double v;
    bool single;
    int64_t w = fmt_int_param(f, d, 0, -1);
    if (!float_arg(x, &v, &single) || !isfinite(v)) { out_unfloat(f, x, w); return GO_ON; }
    if (!float_p(x)) x = single_float_make((float)v);
    char digits[32];
    int n = 0;
    size_t q = 1;
    if (v != 0) q = pr_float_digits(v, single, digits, sizeof digits, &n);
    int64_t ee = fmt_has_param(d, 2) ? fmt_int_param(f, d, 2, 0) + 2 : 4;
    int64_t ww = w >= 0 ? w - ee : -1;
    int64_t dig = fmt_has_param(d, 1) ? fmt_int_param(f, d, 1, 0) : ((int64_t)q > (n < 7 ? n : 7) ? (int64_t)q : (n < 7 ? n : 7));
    int64_t dd = dig - n;
    if (dd >= 0 && dd <= dig) {
        format_fixed(f, v, single, ww, dd, 0, fmt_char_param(f, d, 4, 0), fmt_char_param(f, d, 5, ' '), d->at);
        fmt_out_char(f, ' ', ee);
    } else {
        format_exponential(f, x, v, single, d);
    }
    return GO_ON;
}

static int dir_dollar(Fmt *f, Directive *d, Args *a) {
    LispObj x = fmt_next_arg(f, d, a);
    double v;
    bool single;
    int64_t dd = fmt_int_param(f, d, 0, 2), n = fmt_int_param(f, d, 1, 1), w = fmt_int_param(f, d, 2, 0);
    uint32_t padchar = fmt_char_param(f, d, 3, ' ');
    if (!float_arg(x, &v, &single) || !isfinite(v)) { out_unfloat(f, x, w); return GO_ON; }
    char buf[520], body[600];
    fixed_digits(buf, sizeof buf, v, single, dd < 0 ? 0 : dd);
    const char *num = buf;
    if (n == 0 && buf[0] == '0' && buf[1] == '.') num++;  /* no integer digit asked for */
    int64_t intlen = (int64_t)(strchr(num, '.') - num);
    int64_t zeros = n > intlen ? n - intlen : 0;
    const char *sign = sign_of(v, d->at);
    int64_t len = (int64_t)strlen(sign) + zeros + (int64_t)strlen(num);
    if (d->colon) out_cstr(f, sign);
    if (w > len) fmt_out_char(f, padchar, w - len);
    if (!d->colon) out_cstr(f, sign);
    snprintf(body, sizeof body, "%0*d%s", (int)(zeros > 60 ? 60 : zeros), 0, num);
    out_cstr(f, zeros > 0 ? body : num);
    return GO_ON;
}

/* ---- ~/name/ ---- */

/* Calls the function named between the slashes (package prefix allowed,
 * default CL-USER) with stream, argument, colon-p, at-sign-p and params. */
static int dir_slash(Fmt *f, Directive *d, Args *a) {
    char name[256];
    size_t k = 0;
    for (size_t i = d->name_start; i < d->name_end && k + 1 < sizeof name; i++)
        name[k++] = (char)(f->s[i] < 128 ? upcase(f->s[i]) : '?');
    name[k] = 0;
    char *colon = strchr(name, ':');
    const char *sym_name = name, *pkg_name = "COMMON-LISP-USER";
    if (colon) {
        *colon = 0;
        pkg_name = name;
        sym_name = colon[1] == ':' ? colon + 2 : colon + 1;
    }
    LispObj pkg = pkg_find_cstr(f->tc, pkg_name);
    if (pkg == NIL) fmt_error(f, d->start, "no package named %s", pkg_name);
    LispObj status = NIL;
    LispObj sym = pkg_find_symbol(f->tc, str_from_cstr(f->tc, sym_name), pkg, &status);
    if (status == NIL) fmt_error(f, d->start, "no function named %s", sym_name);
    LispObj argv[4 + MAX_PARAMS];
    argv[0] = f->stream;
    argv[1] = fmt_next_arg(f, d, a);
    argv[2] = d->colon ? T : NIL;
    argv[3] = d->at ? T : NIL;
    for (int i = 0; i < d->nparams; i++) {
        Param p = d->params[i];
        argv[4 + i] = p.kind == P_INT ? fx_make(p.v) : p.kind == P_CHAR ? char_make((uint32_t)p.v) : NIL;
    }
    vm_funcall(f->tc, arg_function_designator(f->tc, sym), 4 + (size_t)d->nparams, argv);
    return GO_ON;
}

/* ---- Dispatch ---- */

static const DirFn directives[128] = {
    ['A'] = dir_a, ['S'] = dir_s, ['W'] = dir_w, ['D'] = dir_d, ['B'] = dir_b,
    ['O'] = dir_o, ['X'] = dir_x, ['R'] = dir_r, ['C'] = dir_c, ['%'] = dir_percent,
    ['&'] = dir_ampersand, ['|'] = dir_bar, ['~'] = dir_tilde, ['\n'] = dir_newline,
    ['T'] = dir_t, ['*'] = dir_star, ['P'] = dir_p, ['?'] = dir_question,
    ['^'] = dir_caret, ['['] = dir_bracket, ['{'] = dir_brace, ['('] = dir_paren,
    ['F'] = dir_f, ['E'] = dir_e, ['G'] = dir_g, ['$'] = dir_dollar, ['/'] = dir_slash,
    ['_'] = fmt_dir_underscore, ['I'] = fmt_dir_indent, ['<'] = fmt_dir_angle,
};

/* Literal text; inside ~<...~:@> a fill newline follows each run of blanks. */
static void write_literal(Fmt *f, size_t from, size_t to) {
    if (!f->fill_blanks) { stm_write_chars(f->tc, f->stream, f->s + from, to - from); return; }
    for (size_t i = from; i < to;) {
        size_t j = i;
        while (j < to && f->s[j] != ' ') j++;
        while (j < to && f->s[j] == ' ') j++;
        stm_write_chars(f->tc, f->stream, f->s + i, j - i);
        if (f->s[j - 1] == ' ') fmt_pprint_newline(f, "FILL");
        i = j;
    }
}

int fmt_interpret(Fmt *f, size_t start, size_t end, Args *a) {
    size_t i = start;
    while (i < end) {
        size_t lit = i;
        while (i < end && f->s[i] != '~') i++;
        if (i > lit) write_literal(f, lit, i);
        if (i >= end) break;
        Directive d;
        fmt_parse_directive(f, i, a, &d);
        DirFn fn = d.ch < 128 ? directives[d.ch] : NULL;
        if (!fn) {
            if (d.ch == ']' || d.ch == '}' || d.ch == ')' || d.ch == '>' || d.ch == ';')
                fmt_error(f, d.start, "~%c without a matching opening directive", (char)d.ch);
            fmt_error(f, d.start, "unknown directive ~%c", d.ch < 128 ? (char)d.ch : '?');
        }
        int r = fn(f, &d, a);
        if (r != GO_ON) return r;
        if (a->cut) return UP_AND_OUT;
        i = d.end;
    }
    return GO_ON;
}

LispObj fmt_format_rest(ThContext *tc, LispObj stream, LispObj control, LispObj args) {
    if (!arr_string_p(control)) cond_type_error(tc, control, S(STRING));
    control = arr_simple_string(tc, control);
    Fmt f = { tc, control, STR(control)->chars, str_length(control), stm_output_designator(tc, stream), false };
    Args a = fmt_args_over(args, NULL);
    fmt_interpret(&f, 0, f.len, &a);
    return a.rest;
}

void pr_format(ThContext *tc, LispObj stream, LispObj control, LispObj args) {
    fmt_format_rest(tc, stream, control, args);
}
