/* lisp/reader_macros.c — the standard macro characters (CLHS 2.4): one
 * function per macro character, and one per # sub-character (CLHS 2.4.8),
 * found through two tables indexed by character code.
 *
 * Each function receives the reader state and the character that selected
 * it (already consumed) and returns the object read, or RD_NO_VALUES when
 * it read nothing (comments, a #+/#- that skipped its form).  Malformed
 * input is a reader-error through RD_ERROR; the end of the input inside an
 * object is end-of-file (rd_next_char / rd_read_required signal it).
 *
 * Under *read-suppress* (CLHS 2.4.8 and the variable's page) the functions
 * still consume their syntax but return NIL and signal nothing about
 * content they would otherwise interpret.  No shared mutable state. */
#include "lisp/lisp.h"
#include "lisp/reader_impl.h"
#include "lisp/array_impl.h"
#include "lisp/vm_impl.h"
#include "lisp/num_impl.h"

enum { NO_ARG = RD_NO_ARG };

/* True if x is the two-element list (op y). */
static bool form_p(LispObj x, LispObj op) {
    return cons_p(x) && CAR(x) == op && cons_p(CDR(x)) && CDR(CDR(x)) == NIL;
}

static bool splicing_form_p(LispObj x) {
    return form_p(x, S(UNQUOTE_SPLICING)) || form_p(x, S(UNQUOTE_NSPLICING));
}

/* ---- Lists: ( and ) ---- */

/* After a consing dot: exactly one object, then the closing parenthesis. */
static LispObj read_dotted_tail(RdState *st) {
    LispObj tail = rd_read_object(st, true);
    if (tail == RD_CLOSE)
        RD_ERROR(st, "nothing after the dot in a dotted list");
    if (tail == RD_DOT)
        RD_ERROR(st, "two dots in a row in a list");
    if (splicing_form_p(tail))
        RD_ERROR(st, "a splicing comma (,@ or ,.) after a dot");
    if (rd_read_object(st, true) != RD_CLOSE)
        RD_ERROR(st, "more than one object after the dot in a dotted list");
    return tail;
}

/* Elements up to the closing parenthesis; allow_dot for ( but not #(. */
static LispObj read_list_body(RdState *st, bool allow_dot) {
    LispObj head = NIL, last = NIL;
    for (;;) {
        LispObj obj = rd_read_object(st, true);
        if (obj == RD_CLOSE)
            return head;
        if (obj == RD_DOT) {
            if (!allow_dot)
                RD_ERROR(st, "a dot is not allowed in this context");
            if (head == NIL)
                RD_ERROR(st, "nothing before the dot in a dotted list");
            cons_set_cdr(last, read_dotted_tail(st));
            return head;
        }
        LispObj cell = lisp_cons(st->tc, obj, NIL);
        if (head == NIL)
            head = cell;
        else
            cons_set_cdr(last, cell);
        last = cell;
    }
}

static LispObj rd_macro_lparen(RdState *st, int32_t c) {
    LispObj list = read_list_body(st, true);
    return rd_suppress_p(st) ? NIL : list;
}

/* A ) that no list reader asked for. */
static LispObj rd_macro_rparen(RdState *st, int32_t c) {
    RD_ERROR(st, "unmatched close parenthesis");
}

/* ---- Quote, comment, string ---- */

static LispObj rd_macro_quote(RdState *st, int32_t c) {
    LispObj x = rd_read_required(st);
    return lisp_list(st->tc, 2, S(QUOTE), x);
}

static LispObj rd_macro_semicolon(RdState *st, int32_t c) {
    do
        c = stm_read_char(st->tc, st->stream);
    while (c >= 0 && c != '\n');
    return RD_NO_VALUES;
}

/* "...": \ escapes the next character, whatever it is (CLHS 2.4.5). */
static LispObj rd_macro_string(RdState *st, int32_t delimiter) {
    rd_token_begin(st);
    for (;;) {
        int32_t c = rd_next_char(st);
        if (c == delimiter)
            break;
        if (rd_syntax(st, c) == RD_SYN_SINGLE_ESCAPE)
            c = rd_next_char(st);
        rd_token_add(st, c, true);
    }
    return rd_token_string(st, 0, st->len);
}

/* ---- Backquote and comma (CLHS 2.4.6, 2.4.7) ----
 * The reader only builds (sys:quasiquote x) and (sys:unquote x) forms;
 * backquote.c turns them into code.  bq_depth counts enclosing backquotes
 * minus enclosing commas, so a comma is legal only when it is positive. */

static LispObj rd_macro_backquote(RdState *st, int32_t c) {
    st->bq_depth++;
    LispObj x = rd_read_required(st);
    st->bq_depth--;
    if (splicing_form_p(x) && !rd_suppress_p(st))
        RD_ERROR(st, "a splicing comma (,@ or ,.) right after a backquote");
    return lisp_list(st->tc, 2, S(QUASIQUOTE), x);
}

static LispObj rd_macro_comma(RdState *st, int32_t c) {
    if (st->bq_depth <= 0 && !rd_suppress_p(st))
        RD_ERROR(st, "comma not inside a backquote");
    LispObj op = S(UNQUOTE);
    int32_t next = stm_peek_char(st->tc, st->stream);
    if (next == '@' || next == '.') {
        stm_read_char(st->tc, st->stream);
        op = next == '@' ? S(UNQUOTE_SPLICING) : S(UNQUOTE_NSPLICING);
    }
    st->bq_depth--;
    LispObj x = rd_read_required(st);
    st->bq_depth++;
    return lisp_list(st->tc, 2, op, x);
}

/* ---- # and its sub-characters ---- */

/* A dispatching macro character (# and any made by
 * make-dispatch-macro-character): <decimal digits><sub-character>; the
 * digits are the numeric argument (saturated: any huge value is rejected by
 * the sub-character anyway); the sub-character's function comes from the
 * readtable's dispatch table of c. */
static LispObj rd_macro_dispatch(RdState *st, int32_t c) {
    int64_t arg = NO_ARG;
    int32_t sub = rd_next_char(st);
    while (sub >= '0' && sub <= '9') {
        int64_t digit = sub - '0';
        arg = arg == NO_ARG ? digit : (arg > INT64_MAX / 20 ? arg : arg * 10 + digit);
        sub = rd_next_char(st);
    }
    LispObj fn = rd_dispatch_function(st, c, sub);
    if (fn == NIL)
        RD_ERROR(st, "no dispatch function defined for %a%a", char_make((uint32_t)c), char_make((uint32_t)sub));
    return rd_call_dispatch(st, fn, sub, arg);
}

static void forbid_arg(RdState *st, int32_t sub, int64_t arg) {
    if (arg != NO_ARG && !rd_suppress_p(st))
        RD_ERROR(st, "no number allowed between # and %a", char_make((uint32_t)sub));
}

/* The token right after a dispatch character; an empty token if a
 * delimiter or the end of file follows (e.g. "#x(" or "#*"). */
static void read_token_after_sharp(RdState *st) {
    int32_t c = stm_read_char(st->tc, st->stream);
    if (c < 0 || rd_delimiter_p(st, c)) {
        if (c >= 0)
            stm_unread_char(st->tc, st->stream, c);
        rd_token_begin(st);
        return;
    }
    rd_read_token(st, c);
}

/* -- #\ characters (CLHS 2.4.8.1) -- */

static const struct { const char *name; uint32_t code; } char_names[] = {
    {"SPACE", ' '},      {"NEWLINE", '\n'}, {"TAB", '\t'},  {"PAGE", '\f'},
    {"RUBOUT", 127},     {"LINEFEED", '\n'}, {"RETURN", '\r'}, {"BACKSPACE", 8},
    {"NUL", 0},          {"NULL", 0},       {"ESCAPE", 27}, {"ESC", 27},
    {"BELL", 7},         {"DELETE", 127},
};

static bool name_equal_ci(const uint32_t *chars, size_t n, const char *name) {
    if (n != strlen(name))
        return false;
    for (size_t i = 0; i < n; i++)
        if (rd_char_upcase(chars[i]) != (uint32_t)name[i])
            return false;
    return true;
}

static int hex_value(uint32_t c) {
    if (c >= '0' && c <= '9')
        return (int)(c - '0');
    c = rd_char_upcase(c);
    return (c >= 'A' && c <= 'F') ? (int)(c - 'A' + 10) : -1;
}

/* U+XXXX or UXXXX (1 to 6 hex digits): a code point, or -1. */
static int64_t name_code_point(const uint32_t *chars, size_t n) {
    size_t i = 1;
    if (n < 2 || rd_char_upcase(chars[0]) != 'U')
        return -1;
    if (chars[1] == '+')
        i = 2;
    if (n == i || n - i > 6)
        return -1;
    int64_t code = 0;
    for (; i < n; i++) {
        int d = hex_value(chars[i]);
        if (d < 0)
            return -1;
        code = code * 16 + d;
    }
    return code < CHAR_CODE_LIMIT ? code : -1;
}

/* The code of the character named by the string NAME (a name #\ accepts:
 * the table above, case-insensitively, or U+XXXX), or -1.  Shared with
 * NAME-CHAR so that the two always agree. */
int64_t rd_name_char_code(LispObj name) {
    const uint32_t *chars = STR(name)->chars;
    size_t n = str_length(name);
    for (size_t i = 0; i < sizeof char_names / sizeof char_names[0]; i++)
        if (name_equal_ci(chars, n, char_names[i].name))
            return char_names[i].code;
    return name_code_point(chars, n);
}

/* The character after #\ is taken literally even if it is a macro or
 * whitespace character; following constituents make a name. */
static LispObj sharp_backslash(RdState *st, int32_t sub, int64_t arg) {
    rd_token_begin(st);
    rd_token_add(st, rd_next_char(st), true);
    rd_token_continue(st);
    if (rd_suppress_p(st))
        return NIL;
    if (st->len == 1)
        return char_make(rd_tok_char(st, 0));
    LispObj name = rd_token_string(st, 0, st->len);
    int64_t code = rd_name_char_code(name);
    if (code >= 0)
        return char_make((uint32_t)code);
    RD_ERROR(st, "unknown character name #\\%a", name);
}

/* -- #' #( #: #. -- */

static LispObj sharp_quote(RdState *st, int32_t sub, int64_t arg) {
    forbid_arg(st, sub, arg);
    LispObj x = rd_read_required(st);
    return lisp_list(st->tc, 2, S(FUNCTION), x);
}

/* #(...) and #n(...): with n, the last element fills up to length n. */
static LispObj sharp_lparen(RdState *st, int32_t sub, int64_t arg) {
    LispObj items = read_list_body(st, false);
    if (rd_suppress_p(st))
        return NIL;
    size_t count = 0;
    for (LispObj x = items; x != NIL; x = CDR(x))
        count++;
    size_t length = count;
    if (arg != NO_ARG) {
        if (arg > (int64_t)RD_MAX_VECTOR_ARG)
            RD_ERROR(st, "vector length %ld in #n( is too large", (long)arg);
        if ((size_t)arg < count || (count == 0 && arg > 0))
            RD_ERROR(st, "vector of length %ld cannot hold %zu elements", (long)arg, count);
        length = (size_t)arg;
    }
    LispObj vec = vec_make(st->tc, length, NIL);
    LispObj fill = NIL;
    /* vec is fresh and unpublished: initialising stores need no barrier. */
    for (size_t i = 0; i < length; i++) {
        if (items != NIL) {
            fill = CAR(items);
            items = CDR(items);
        }
        gc_init_store(&VEC(vec)->items[i], fill);
    }
    return vec;
}

static bool token_has_package_marker(RdState *st) {
    for (size_t i = 0; i < st->len; i++)
        if (rd_tok_char(st, i) == ':' && !rd_tok_escaped_at(st, i))
            return true;
    return false;
}

/* #:name — an uninterned symbol; a token with number syntax or a package
 * marker is rejected (as SBCL does). */
static LispObj sharp_colon(RdState *st, int32_t sub, int64_t arg) {
    forbid_arg(st, sub, arg);
    read_token_after_sharp(st);
    if (rd_suppress_p(st))
        return NIL;
    LispObj number;
    if (st->len == 0 && !st->tok_escaped)
        RD_ERROR(st, "no symbol name after #:");
    if (token_has_package_marker(st))
        RD_ERROR(st, "a symbol after #: must not have a package marker");
    if (!st->tok_escaped && rd_parse_number(st, &number))
        RD_ERROR(st, "the token after #: has number syntax");
    return sym_make(st->tc, rd_token_string(st, 0, st->len));
}

static LispObj sharp_dot(RdState *st, int32_t sub, int64_t arg) {
    forbid_arg(st, sub, arg);
    LispObj form = rd_read_required(st);
    if (rd_suppress_p(st))
        return NIL;
    if (sym_value(st->tc, S(STAR_READ_EVAL)) == NIL)
        RD_ERROR(st, "#. is not allowed: *read-eval* is false");
    return vm_eval(st->tc, form);
}

/* -- #+ #- (CLHS 2.4.8.17, 24.1.2.1) -- */

static bool feature_true(RdState *st, LispObj fx);

static bool feature_member(RdState *st, LispObj sym) {
    LispObj features = sym_value(st->tc, S(STAR_FEATURES));
    for (; cons_p(features); features = CDR(features))
        if (CAR(features) == sym)
            return true;
    return false;
}

/* (:and f...) / (:or f...) with a proper argument list. */
static bool feature_and_or(RdState *st, LispObj fx, bool is_and) {
    LispObj args = CDR(fx);
    for (; cons_p(args); args = CDR(args))
        if (feature_true(st, CAR(args)) != is_and)
            return !is_and;
    if (args != NIL)
        RD_ERROR(st, "invalid feature expression %v", fx);
    return is_and;
}

static bool feature_true(RdState *st, LispObj fx) {
    if (symbol_p(fx))
        return feature_member(st, fx);
    if (!cons_p(fx))
        RD_ERROR(st, "invalid feature expression %v", fx);
    LispObj op = CAR(fx);
    if (op == S(AND_KW) || op == S(OR_KW))
        return feature_and_or(st, fx, op == S(AND_KW));
    if (op == S(NOT_KW) && form_p(fx, op))
        return !feature_true(st, CAR(CDR(fx)));
    RD_ERROR(st, "invalid feature expression %v", fx);
}

/* The feature expression is read with *package* bound to KEYWORD, so that
 * plain names in it are keywords.  A form that is not selected is read
 * with *read-suppress* true: nothing in it is interpreted. */
static LispObj sharp_plus_minus(RdState *st, int32_t sub, int64_t arg) {
    forbid_arg(st, sub, arg);
    ThContext *tc = st->tc;
    size_t top = tc->bind_top;
    sym_bind(tc, S(STAR_PACKAGE), pkg_keyword);
    LispObj fx = rd_read_required(st);
    sym_unbind_to(tc, top);
    bool selected = !rd_suppress_p(st) && feature_true(st, fx) == (sub == '+');
    if (selected)
        return rd_read_required(st);
    sym_bind(tc, S(STAR_READ_SUPPRESS), T);
    rd_read_required(st);
    sym_unbind_to(tc, top);
    return RD_NO_VALUES;
}

/* -- #| ... |# nestable block comment -- */
static LispObj sharp_bar(RdState *st, int32_t sub, int64_t arg) {
    int level = 1;
    int32_t c = rd_next_char(st);
    for (;;) {
        int32_t next = rd_next_char(st);
        if (c == '|' && next == '#') {
            if (--level == 0)
                return RD_NO_VALUES;
            next = rd_next_char(st);
        } else if (c == '#' && next == '|') {
            level++;
            next = rd_next_char(st);
        }
        c = next;
    }
}

/* -- #! to the end of the line: a comment, so a script's first line
 * "#!/usr/bin/env petrel --script" reads as nothing.  #! is reserved to the
 * user by CLHS 2.4.8 (figure 2-19); SBCL gives it the same meaning. -- */
static LispObj sharp_bang(RdState *st, int32_t sub, int64_t arg) {
    for (;;) {
        int32_t c = stm_read_char(st->tc, st->stream);
        if (c < 0 || c == '\n') return RD_NO_VALUES;
    }
}

/* -- #b #o #x #nr: rationals in a radix (CLHS 2.4.8.7-10) -- */
static LispObj sharp_radix(RdState *st, int32_t sub, int64_t arg) {
    unsigned radix;
    switch (rd_char_upcase((uint32_t)sub)) {
    case 'B': radix = 2; break;
    case 'O': radix = 8; break;
    case 'X': radix = 16; break;
    default: radix = 0; break;  /* R: from the argument */
    }
    if (radix != 0)
        forbid_arg(st, sub, arg);
    else if (arg < 2 || arg > 36) {
        if (!rd_suppress_p(st))
            RD_ERROR(st, "#R needs a radix between 2 and 36, as in #16r1F");
    } else
        radix = (unsigned)arg;
    read_token_after_sharp(st);
    if (rd_suppress_p(st))
        return NIL;
    LispObj out;
    if (!rd_parse_rational(st, radix, &out))
        RD_ERROR(st, "#%a: the token %a is not a rational in radix %d",
                 char_make((uint32_t)sub), rd_token_string(st, 0, st->len), (int)radix);
    return out;
}

/* -- Arrays (CLHS 2.4.8.4, 2.4.8.12) -- */

/* #*0101 and #n*01: a simple bit vector; with n, the last bit fills up to n. */
static LispObj sharp_star(RdState *st, int32_t sub, int64_t arg) {
    read_token_after_sharp(st);
    if (rd_suppress_p(st))
        return NIL;
    for (size_t i = 0; i < st->len; i++) {
        uint32_t c = rd_tok_char(st, i);
        if ((c != '0' && c != '1') || st->tok_escaped)
            RD_ERROR(st, "illegal bit vector syntax after #*");
    }
    size_t n = st->len;
    if (arg != NO_ARG) {
        if (arg > (int64_t)RD_MAX_VECTOR_ARG)
            RD_ERROR(st, "bit vector length %ld in #n* is too large", (long)arg);
        if ((size_t)arg < n || (n == 0 && arg > 0))
            RD_ERROR(st, "bit vector of length %ld cannot hold %zu bits", (long)arg, n);
        n = (size_t)arg;
    }
    LispObj v = arr_make_storage(st->tc, ET_BIT, n);
    LispObj bit = fx_make(0);
    for (size_t i = 0; i < n; i++) {
        if (i < st->len) bit = fx_make(rd_tok_char(st, i) == '1');
        arr_storage_set(st->tc, v, i, bit);
    }
    return v;
}

/* True if x has the shape dims[k..rank): nested sequences of those lengths. */
static bool contents_shape_p(RdState *st, LispObj x, const int64_t *dims, int64_t k, int64_t rank) {
    if (k == rank) return true;
    if (!(cons_p(x) || x == NIL) && !arr_vector_p(x)) return false;
    if (list_p(x)) {
        int64_t n = 0;
        for (; cons_p(x); x = CDR(x), n++)
            if (n >= dims[k] || !contents_shape_p(st, CAR(x), dims, k + 1, rank)) return false;
        return x == NIL && n == dims[k];
    }
    if ((int64_t)arr_vector_length(x) != dims[k]) return false;
    for (int64_t i = 0; i < dims[k]; i++)
        if (!contents_shape_p(st, arr_row_ref(st->tc, x, (size_t)i), dims, k + 1, rank)) return false;
    return true;
}

/* The length of a proper list into *n; false for a dotted or circular one
 * (read syntax such as #1A(2 . 3) or #1=(1 . #1#) is not array contents). */
static bool proper_length(LispObj x, size_t *n) {
    LispObj slow = x; /* at index len / 2: meets x only on a cycle */
    size_t len = 0;
    while (cons_p(x)) {
        x = CDR(x);
        len++;
        if (len % 2 == 0) {
            slow = CDR(slow);
            if (x == slow && cons_p(x)) return false;
        }
    }
    *n = len;
    return x == NIL;
}

/* #nA contents: an array of rank n whose dimensions are the lengths of the
 * nested sequences of contents (the first element of each level). */
static LispObj sharp_a(RdState *st, int32_t sub, int64_t arg) {
    LispObj contents = rd_read_required(st);
    if (rd_suppress_p(st))
        return NIL;
    if (arg == NO_ARG)
        RD_ERROR(st, "#A needs a rank, as in #2A((1 2) (3 4))");
    if (arg > 256)
        RD_ERROR(st, "rank %ld in #nA exceeds ARRAY-RANK-LIMIT", (long)arg);
    LispObj dims = NIL, level = contents;
    for (int64_t k = 0; k < arg; k++) {
        if (!list_p(level) && !arr_vector_p(level))
            RD_ERROR(st, "#%ldA: %v is not a sequence at depth %ld", (long)arg, level, (long)k);
        size_t n = arr_vector_p(level) ? arr_vector_length(level) : 0;
        if (list_p(level) && !proper_length(level, &n))
            RD_ERROR(st, "#%ldA: the contents at depth %ld are a dotted or circular list", (long)arg, (long)k);
        dims = lisp_cons(st->tc, fx_make((int64_t)n), dims);
        if (n == 0) { /* the remaining dimensions are 0 */
            for (int64_t j = k + 1; j < arg; j++) dims = lisp_cons(st->tc, fx_make(0), dims);
            break;
        }
        level = list_p(level) ? CAR(level) : arr_row_ref(st->tc, level, 0);
    }
    dims = lisp_nreverse(dims);
    int64_t d[256], k = 0;
    for (LispObj l = dims; cons_p(l); l = CDR(l)) d[k++] = fx_value(CAR(l));
    if (!contents_shape_p(st, contents, d, 0, arg))
        RD_ERROR(st, "#%ldA: the contents %v are not nested sequences of dimensions %v", (long)arg, contents, dims);
    LispObj args[3] = {dims, S(INITIAL_CONTENTS_KW), contents};
    LispObj make = pkg_intern_cstr(st->tc, "MAKE-ARRAY", pkg_common_lisp);
    return vm_funcall(st->tc, vm_fdefinition(st->tc, make), 3, args);
}

/* -- #C(real imag): a complex, as (complex real imag) makes it (CLHS 2.4.8.11) -- */
static LispObj sharp_c(RdState *st, int32_t sub, int64_t arg) {
    forbid_arg(st, sub, arg);
    LispObj parts = rd_read_required(st);
    if (rd_suppress_p(st))
        return NIL;
    if (!cons_p(parts) || !cons_p(CDR(parts)) || CDR(CDR(parts)) != NIL || !real_p(CAR(parts)) ||
        !real_p(CAR(CDR(parts))))
        RD_ERROR(st, "#C needs a list of two reals, as in #C(1 2), not %v", parts);
    return num_make_complex(st->tc, CAR(parts), CAR(CDR(parts)));
}

/* #S(name slot value ...) (CLHS 2.4.8.13): calls the structure's standard
 * keyword constructor with each slot name interned in KEYWORD and the
 * values unevaluated. */
static LispObj sharp_s(RdState *st, int32_t sub, int64_t arg) {
    forbid_arg(st, sub, arg);
    LispObj form = rd_read_required(st);
    if (rd_suppress_p(st))
        return NIL;
    if (!cons_p(form) || !symbol_p(CAR(form)))
        RD_ERROR(st, "#S needs a list starting with a structure name, got %v", form);
    LispObj name = CAR(form);
    LispObj ctor = lisp_structure_constructor(name);
    if (ctor == NIL)
        RD_ERROR(st, "#S: %v is not a structure type with a standard constructor", name);
    size_t n = 0;
    LispObj l = CDR(form);
    for (; cons_p(l) && cons_p(CDR(l)); l = CDR(CDR(l))) n += 2;
    if (l != NIL)
        RD_ERROR(st, "#S(%v ...): slot names and values must come in pairs", name);
    LispObj args = vec_make(st->tc, n, NIL);
    l = CDR(form);
    for (size_t i = 0; i < n; i += 2, l = CDR(CDR(l))) {
        LispObj slot = CAR(l);
        if (!symbol_p(slot) && !string_p(slot) && !char_p(slot))
            RD_ERROR(st, "#S(%v ...): %v is not a slot name", name, slot);
        LispObj key = pkg_intern(st->tc, arg_string_designator(st->tc, slot), pkg_keyword, NULL);
        obj_set(&VEC(args)->items[i], key);
        obj_set(&VEC(args)->items[i + 1], CAR(CDR(l)));
    }
    return vm_funcall(st->tc, vm_fdefinition(st->tc, ctor), n, VEC(args)->items);
}

/* #P"namestring" (CLHS 2.4.8.14): the pathname the string parses to. */
static LispObj sharp_p(RdState *st, int32_t sub, int64_t arg) {
    forbid_arg(st, sub, arg);
    LispObj x = rd_read_required(st);
    if (rd_suppress_p(st))
        return NIL;
    if (!string_p(x))
        RD_ERROR(st, "#P needs a namestring (a string), got %v", x);
    return stm_pathname_of(st->tc, x);
}

/* #<, # followed by whitespace, #): always an error (CLHS 2.4.8.20-22). */
static LispObj sharp_invalid(RdState *st, int32_t sub, int64_t arg) {
    RD_ERROR(st, "illegal syntax #%a: this object cannot be read back",
             char_make((uint32_t)sub));
}

/* ---- The standard syntax: what the standard readtable holds ----
 * X(char, C function, builtin name); each gets a Lisp-callable builtin
 * wrapper (stream char / stream sub-char arg) that readtable.c runs. */
#define RD_STD_MACROS(X)                                                             \
    X('(', rd_macro_lparen, "%READ-LEFT-PARENTHESIS", false)                         \
    X(')', rd_macro_rparen, "%READ-RIGHT-PARENTHESIS", false)                        \
    X('\'', rd_macro_quote, "%READ-QUOTE", false)                                    \
    X(';', rd_macro_semicolon, "%READ-SEMICOLON", false)                             \
    X('"', rd_macro_string, "%READ-STRING", false)                                   \
    X('`', rd_macro_backquote, "%READ-BACKQUOTE", false)                             \
    X(',', rd_macro_comma, "%READ-COMMA", false)                                     \
    X('#', rd_macro_dispatch, "%READ-DISPATCH", true)

#define RD_STD_SHARPS(X)                                                             \
    X('\\', sharp_backslash, "%READ-SHARP-BACKSLASH")                              \
    X('\'', sharp_quote, "%READ-SHARP-QUOTE")                                        \
    X('(', sharp_lparen, "%READ-SHARP-LEFT-PARENTHESIS")                             \
    X('!', sharp_bang, "%READ-SHARP-BANG")                                           \
    X(':', sharp_colon, "%READ-SHARP-COLON")                                         \
    X('.', sharp_dot, "%READ-SHARP-DOT")                                             \
    X('+', sharp_plus_minus, "%READ-SHARP-PLUS")                                     \
    X('-', sharp_plus_minus, "%READ-SHARP-MINUS")                                    \
    X('|', sharp_bar, "%READ-SHARP-BAR")                                             \
    X('B', sharp_radix, "%READ-SHARP-B")                                             \
    X('O', sharp_radix, "%READ-SHARP-O")                                             \
    X('X', sharp_radix, "%READ-SHARP-X")                                             \
    X('R', sharp_radix, "%READ-SHARP-R")                                             \
    X('*', sharp_star, "%READ-SHARP-STAR")                                           \
    X('C', sharp_c, "%READ-SHARP-C")                                \
    X('A', sharp_a, "%READ-SHARP-A")                                                 \
    X('S', sharp_s, "%READ-SHARP-S")                                                 \
    X('P', sharp_p, "%READ-SHARP-P")                                \
    X('=', rd_sharp_equal, "%READ-SHARP-EQUAL")                                      \
    X('#', rd_sharp_sharp, "%READ-SHARP-SHARP")                                      \
    X('<', sharp_invalid, "%READ-SHARP-LESS")                                        \
    X(')', sharp_invalid, "%READ-SHARP-RIGHT-PARENTHESIS")                           \
    X(' ', sharp_invalid, "%READ-SHARP-SPACE")                                       \
    X('\t', sharp_invalid, "%READ-SHARP-TAB")                                        \
    X('\n', sharp_invalid, "%READ-SHARP-NEWLINE")                                    \
    X('\f', sharp_invalid, "%READ-SHARP-PAGE")                                       \
    X('\r', sharp_invalid, "%READ-SHARP-RETURN")

#define RD_MACRO_WRAPPER(ch, impl, name, nt)                                         \
    static LispObj wrap_##impl(ThContext *tc, size_t nargs, LispObj *args) {        \
        (void)nargs;                                                                 \
        return rd_lisp_call_macro(tc, args[0], args[1], impl);                      \
    }
RD_STD_MACROS(RD_MACRO_WRAPPER)

/* One wrapper per C function (several sub-characters share one). */
#define RD_SHARP_WRAPPER(impl)                                                       \
    static LispObj wrap_##impl(ThContext *tc, size_t nargs, LispObj *args) {        \
        (void)nargs;                                                                 \
        return rd_lisp_call_sharp(tc, args[0], args[1], args[2], impl);             \
    }
RD_SHARP_WRAPPER(sharp_backslash) RD_SHARP_WRAPPER(sharp_quote) RD_SHARP_WRAPPER(sharp_lparen)
RD_SHARP_WRAPPER(sharp_bang) RD_SHARP_WRAPPER(sharp_colon) RD_SHARP_WRAPPER(sharp_dot)
RD_SHARP_WRAPPER(sharp_plus_minus) RD_SHARP_WRAPPER(sharp_bar) RD_SHARP_WRAPPER(sharp_radix)
RD_SHARP_WRAPPER(sharp_star) RD_SHARP_WRAPPER(sharp_a)
RD_SHARP_WRAPPER(sharp_s) RD_SHARP_WRAPPER(rd_sharp_equal) RD_SHARP_WRAPPER(rd_sharp_sharp)
RD_SHARP_WRAPPER(sharp_invalid) RD_SHARP_WRAPPER(sharp_p) RD_SHARP_WRAPPER(sharp_c)

const RdStdMacro rd_std_macros[] = {
#define RD_MACRO_ENTRY(ch, impl, name, nt) {ch, impl, wrap_##impl, name, nt},
    RD_STD_MACROS(RD_MACRO_ENTRY)
    {0, NULL, NULL, NULL, false},
};

const RdStdSharp rd_std_sharps[] = {
#define RD_SHARP_ENTRY(ch, impl, name) {ch, impl, wrap_##impl, name},
    RD_STD_SHARPS(RD_SHARP_ENTRY)
    {0, NULL, NULL, NULL},
};

const BuiltinSpec builtins_reader_macros[] = {
#define RD_MACRO_SPEC(ch, impl, name, nt) \
    {name, "SYS", wrap_##impl, 2, 2, "stream char", "A standard macro character's reader function."},
    RD_STD_MACROS(RD_MACRO_SPEC)
#define RD_SHARP_SPEC(ch, impl, name) \
    {name, "SYS", wrap_##impl, 3, 3, "stream sub-char arg", "A standard # sub-character's reader function."},
    RD_STD_SHARPS(RD_SHARP_SPEC)
    {0},
};

RdMacroFn rd_std_macro_impl(BuiltinFn wrapper) {
    for (const RdStdMacro *m = rd_std_macros; m->impl; m++)
        if (m->wrapper == wrapper) return m->impl;
    return NULL;
}

RdSharpFn rd_std_sharp_impl(BuiltinFn wrapper) {
    for (const RdStdSharp *m = rd_std_sharps; m->impl; m++)
        if (m->wrapper == wrapper) return m->impl;
    return NULL;
}
