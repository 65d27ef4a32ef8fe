/* lisp/format_justify.c — FORMAT's ~<...~> justification and the
 * directives that drive the pretty printer: ~<...~:> logical blocks, ~_,
 * ~I and (from format.c's ~T) pprint-tab (CLHS 22.3.5.2, 22.3.6, 22.3.6.1).
 *
 * Justification runs each clause into a string of its own, then pads the
 * gaps between them; a clause cut short by ~^ is dropped with all after it.
 * Logical blocks are the pretty printer's (lisp/src/pprint.lisp): the block
 * is opened there by SYS::%FORMAT-LOGICAL-BLOCK, which calls back
 * SYS::%FORMAT-BLOCK-BODY (here) to run the body with the block's list as
 * its arguments, popped the way PPRINT-POP pops (format.c, block_pop_cut).
 * No state of its own; any thread. */
#include "lisp/format_impl.h"

/* ---- Justification ---- */

/* The columns of the line (for ~:; overflow): *print-right-margin*, or 72. */
static int64_t line_width(ThContext *tc) {
    LispObj m = sym_value(tc, S(STAR_PRINT_RIGHT_MARGIN));
    return fx_p(m) && fx_value(m) > 0 ? fx_value(m) : 72;
}

/* Runs clause c into a fresh string; *r gets the outcome (~^). */
static LispObj clause_text(Fmt *f, const Clause *c, Args *a, int *r) {
    LispObj saved = f->stream;
    f->stream = stm_make_string_output(f->tc);
    *r = fmt_interpret(f, c->start, c->end, a);
    LispObj text = stm_get_output_string(f->tc, f->stream);
    f->stream = saved;
    return text;
}

typedef struct Justify {
    int64_t mincol, colinc, minpad;
    uint32_t padchar;
    bool pad_left, pad_right;   /* ~:< pads before the first, ~@< after the last */
} Justify;

/* Lays out n segments (CLHS 22.3.6.2): the padding is shared among the gaps,
 * the rightmost gaps taking the remainder. */
static void justify(Fmt *f, const Justify *j, LispObj *seg, int n, LispObj overflow,
                    int64_t spare, int64_t width) {
    int64_t gaps = n - 1 + j->pad_left + j->pad_right, chars = 0;
    bool lone = n <= 1 && !j->pad_left && !j->pad_right;  /* one segment: right-justified */
    if (lone) gaps = 1;
    if (gaps < 0) gaps = 0;
    for (int i = 0; i < n; i++) chars += (int64_t)str_length(seg[i]);
    int64_t need = chars + gaps * j->minpad, total = j->mincol;
    int64_t colinc = j->colinc < 1 ? 1 : j->colinc;
    if (need > total) total = j->mincol + (need - j->mincol + colinc - 1) / colinc * colinc;
    int64_t padding = total - chars;
    if (n == 0 && !j->pad_left && !j->pad_right) padding = 0;  /* all cut by ~^: nothing (as SBCL) */
    if (overflow != NIL && (int64_t)stm_column(f->stream) + total + spare > width) fmt_out_lstr(f, overflow);
    int64_t left_gaps = gaps;
    for (int i = 0; i <= n; i++) {
        bool gap_here = (i == 0) ? (j->pad_left || lone) : (i < n || j->pad_right);
        if (gap_here && left_gaps > 0) {
            int64_t pad = padding / left_gaps;
            padding -= pad;
            left_gaps--;
            fmt_out_char(f, j->padchar, pad);
        }
        if (i < n) fmt_out_lstr(f, seg[i]);
    }
}

static int justification(Fmt *f, Directive *d, Args *a, Clause *cl, int n) {
    Justify j = {
        .mincol = fmt_int_param(f, d, 0, 0), .colinc = fmt_int_param(f, d, 1, 1),
        .minpad = fmt_int_param(f, d, 2, 0), .padchar = fmt_char_param(f, d, 3, ' '),
        .pad_left = d->colon, .pad_right = d->at,
    };
    if (j.colinc < 1) fmt_error(f, d->start, "~< colinc must be positive");
    if (j.mincol < 0 || j.minpad < 0) fmt_error(f, d->start, "~< mincol and minpad must not be negative");
    LispObj seg[MAX_CLAUSES], overflow = NIL;
    int64_t spare = 0, width = line_width(f->tc);
    int first = 0, nseg = 0, r = GO_ON;
    if (n > 1 && cl[1].colon_before) {
        Directive sep;
        fmt_parse_directive(f, cl[1].sep, a, &sep);
        spare = fmt_int_param(f, &sep, 0, 0);
        width = fmt_int_param(f, &sep, 1, width);
        overflow = clause_text(f, &cl[0], a, &r);
        first = 1;
    }
    for (int i = first; i < n && r == GO_ON; i++) {
        LispObj text = clause_text(f, &cl[i], a, &r);
        if (r == GO_ON) seg[nseg++] = text;
    }
    justify(f, &j, seg, nseg, overflow, spare, width);
    return r == UP_ALL ? UP_ALL : GO_ON;
}

/* ---- Logical blocks ---- */

/* The literal text of a prefix or suffix clause (directives are not allowed). */
static LispObj literal_clause(Fmt *f, const Clause *c) {
    for (size_t i = c->start; i < c->end; i++)
        if (f->s[i] == '~') fmt_error(f, i, "a logical block's prefix and suffix cannot contain directives");
    LispObj s = str_make(f->tc, c->end - c->start, ' ');
    for (size_t i = c->start; i < c->end; i++) STR(s)->chars[i - c->start] = f->s[i];
    return s;
}

static LispObj lisp_function_of(ThContext *tc, LispObj sym) {
    LispObj fn = sym_function(sym);
    if (fn == LISP_UNBOUND) cond_undefined_function(tc, sym);
    return fn;
}

static int logical_block(Fmt *f, Directive *d, Directive *close, Args *a, Clause *cl, int n) {
    if (n > 3) fmt_error(f, d->start, "a logical block has at most three clauses");
    Clause *body = &cl[n == 1 ? 0 : 1];
    LispObj prefix = n > 1 ? literal_clause(f, &cl[0]) : str_from_cstr(f->tc, d->colon ? "(" : "");
    LispObj suffix = n > 2 ? literal_clause(f, &cl[2]) : str_from_cstr(f->tc, d->colon ? ")" : "");
    bool per_line = n > 1 && cl[1].at_before;
    LispObj list;
    if (d->at) {
        list = a->rest;
        for (; cons_p(a->rest); a->rest = CDR(a->rest)) a->index++;
    } else {
        list = fmt_next_arg(f, d, a);
    }
    LispObj argv[9] = {
        f->stream, list, prefix, per_line ? T : NIL, suffix, f->control,
        fx_make((int64_t)body->start), fx_make((int64_t)body->end), close->at ? T : NIL,
    };
    vm_funcall(f->tc, lisp_function_of(f->tc, S(PP_FORMAT_LOGICAL_BLOCK)), 9, argv);
    return GO_ON;
}

int fmt_dir_angle(Fmt *f, Directive *d, Args *a) {
    Clause cl[MAX_CLAUSES];
    Directive close;
    int n = fmt_find_clauses(f, d->end, '<', cl, &close);
    d->end = close.end;
    if (close.colon) return logical_block(f, d, &close, a, cl, n);
    return justification(f, d, a, cl, n);
}

/* SYS::%FORMAT-BLOCK-BODY stream list control start end fill-p: the body of
 * a ~<...~:> block, its arguments popped from list (fill-p, for ~:@>: a fill
 * newline after each blank run). */
LispObj sys_format_block_body(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj control = args[2];
    if (!string_p(control) || !fx_p(args[3]) || !fx_p(args[4]))
        cond_error(tc, "%%FORMAT-BLOCK-BODY: bad arguments");
    int64_t start = fx_value(args[3]), end = fx_value(args[4]);
    bool fill = args[5] != NIL;
    size_t len = str_length(control);
    if (start < 0 || end < start || (size_t)end > len) cond_error(tc, "%%FORMAT-BLOCK-BODY: bad bounds");
    Fmt f = { tc, control, STR(control)->chars, len, args[0], fill };
    Args a = fmt_args_over(args[1], NULL);
    LispObj limit = sym_value(tc, S(STAR_PRINT_LENGTH));
    /* without *print-length*, a budget still ends a circular list (as
     * pprint.lisp's +pp-budget+ does for PPRINT-POP) */
    a.length_left = fx_p(limit) && fx_value(limit) >= 0 && sym_value(tc, S(STAR_PRINT_READABLY)) == NIL
                  ? fx_value(limit) : 2000000;
    fmt_interpret(&f, (size_t)start, (size_t)end, &a);
    return NIL;
}

/* ---- ~_ ~I and pprint-tab ---- */

static LispObj keyword(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

void fmt_pprint_newline(Fmt *f, const char *kind) {
    LispObj fn = sym_function(S(PPRINT_NEWLINE));
    if (fn == LISP_UNBOUND) return;
    vm_funcall2(f->tc, fn, keyword(f->tc, kind), f->stream);
}

int fmt_dir_underscore(Fmt *f, Directive *d, Args *a) {
    fmt_pprint_newline(f, d->colon && d->at ? "MANDATORY" : d->colon ? "FILL" : d->at ? "MISER" : "LINEAR");
    return GO_ON;
}

int fmt_dir_indent(Fmt *f, Directive *d, Args *a) {
    LispObj fn = sym_function(S(PPRINT_INDENT));
    if (fn == LISP_UNBOUND) return GO_ON;
    LispObj argv[3] = { keyword(f->tc, d->colon ? "CURRENT" : "BLOCK"), fx_make(fmt_int_param(f, d, 0, 0)), f->stream };
    vm_funcall(f->tc, fn, 3, argv);
    return GO_ON;
}

bool fmt_pretty_stream_p(ThContext *tc, LispObj stream) {
    LispObj fn = sym_function(S(PP_PRETTY_STREAM_P));
    return fn != LISP_UNBOUND && vm_funcall1(tc, fn, stream) != NIL;
}

void fmt_pprint_tab(Fmt *f, int kind, int64_t colnum, int64_t colinc) {
    static const char *const kinds[4] = { "LINE", "LINE-RELATIVE", "SECTION", "SECTION-RELATIVE" };
    LispObj fn = sym_function(S(PPRINT_TAB));
    if (fn == LISP_UNBOUND) return;
    LispObj argv[4] = { keyword(f->tc, kinds[kind]), fx_make(colnum), fx_make(colinc), f->stream };
    vm_funcall(f->tc, fn, 4, argv);
}
