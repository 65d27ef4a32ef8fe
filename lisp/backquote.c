/* lisp/backquote.c — expansion of backquote templates (CLHS 2.4.6).
 *
 * The reader turns `x into (sys:quasiquote x), ,y into (sys:unquote y),
 * ,@y into (sys:unquote-splicing y) and ,.y into (sys:unquote-nsplicing y).
 * The compiler's quasiquote macro calls rd_expand_quasiquote on x and
 * compiles the code returned, built from QUOTE, LIST, LIST*, APPEND,
 * VECTOR and (APPLY (FUNCTION VECTOR) ...).
 *
 * Nested backquotes follow CLHS 2.4.6: "the innermost backquoted form
 * should be expanded first", so the leftmost of several commas belongs to
 * the innermost backquote.  When the template being expanded contains a
 * (sys:quasiquote y), y is expanded first; the code that comes out still
 * holds the commas that belong to outer backquotes, and it is then treated
 * as a template of the current level.  So ``(a ,,b) first becomes the
 * template (list 'a ,b), whose ,b the outer level evaluates.
 *
 * ,. is expanded like ,@ (APPEND): CLHS permits, and does not require,
 * destroying the spliced list.  Results may share structure with literal
 * constants of the template, which CLHS also permits.
 *
 * Pure function of its argument; no shared state. */
#include "lisp/lisp.h"
#include "lisp/reader_impl.h"

/* Deepest template nesting expanded; the reader builds far shallower ones,
 * but macros can build templates of any shape. */
enum { QQ_MAX_DEPTH = 10000 };

static LispObj qq(ThContext *tc, LispObj x, int depth);

static bool form_p(LispObj x, LispObj op) {
    return cons_p(x) && CAR(x) == op && cons_p(CDR(x)) && CDR(CDR(x)) == NIL;
}

static bool splicing_form_p(LispObj x) {
    return form_p(x, S(UNQUOTE_SPLICING)) || form_p(x, S(UNQUOTE_NSPLICING));
}

static LispObj second(LispObj x) { return CAR(CDR(x)); }

/* Numbers, characters, strings and other non-symbol atoms evaluate to
 * themselves; symbols and conses need a quote. */
static bool self_evaluating_p(LispObj x) { return !cons_p(x) && !symbol_p(x); }

static LispObj quote_form(ThContext *tc, LispObj x) {
    return self_evaluating_p(x) ? x : lisp_list(tc, 2, S(QUOTE), x);
}

/* If form is constant code, its value in *value. */
static bool constant_p(LispObj form, LispObj *value) {
    if (form_p(form, S(QUOTE))) {
        *value = second(form);
        return true;
    }
    if (self_evaluating_p(form)) {
        *value = form;
        return true;
    }
    return false;
}

/* (op arg... [tail]) from reversed args, or its value quoted when every
 * part is constant.  op is LIST, or LIST* when has_tail.  rev_args is
 * fresh (built here), so reversing it in place is safe. */
static LispObj call_form(ThContext *tc, LispObj rev_args, bool has_tail, LispObj tail) {
    LispObj values = NIL, value;
    bool constant = !has_tail || constant_p(tail, &values);
    /* Walking the reversed arguments conses the values in order. */
    for (LispObj a = rev_args; constant && a != NIL; a = CDR(a)) {
        constant = constant_p(CAR(a), &value);
        if (constant)
            values = lisp_cons(tc, value, values);
    }
    if (constant)
        return lisp_list(tc, 2, S(QUOTE), values);
    LispObj args = lisp_nreverse(has_tail ? lisp_cons(tc, tail, rev_args) : rev_args);
    return lisp_cons(tc, has_tail ? S(LIST_STAR) : S(LIST), args);
}

/* Closes the pending (list ...) group into the reversed APPEND arguments. */
static LispObj flush_group(ThContext *tc, LispObj group, LispObj segs) {
    return group == NIL ? segs : lisp_cons(tc, call_form(tc, group, false, NIL), segs);
}

/* The code for a list template once split into APPEND segments (reversed),
 * a pending group of element forms (reversed) and an optional tail form. */
static LispObj build_list(ThContext *tc, LispObj segs, LispObj group, bool has_tail,
                          LispObj tail) {
    if (segs == NIL)
        return call_form(tc, group, has_tail, tail);
    if (group != NIL && has_tail)
        segs = lisp_cons(tc, call_form(tc, group, true, tail), segs);
    else if (has_tail)
        segs = lisp_cons(tc, tail, segs);
    else
        segs = flush_group(tc, group, segs);
    if (CDR(segs) == NIL)
        return CAR(segs);  /* (append x) is x */
    return lisp_cons(tc, S(APPEND), lisp_nreverse(segs));
}

/* `(x1 ... xn . tail): [,f] -> (list f), [,@f] -> f, [x] -> (list `x),
 * and a tail of ,f or `y after the dot is a form of its own. */
static LispObj qq_list(ThContext *tc, LispObj x, int depth) {
    LispObj segs = NIL, group = NIL, tail = NIL;
    bool has_tail = false;
    for (; cons_p(x); x = CDR(x)) {
        if (form_p(x, S(UNQUOTE)) || form_p(x, S(QUASIQUOTE))) {
            tail = qq(tc, x, depth + 1);  /* (a . ,b) or (a . `b) */
            has_tail = true;
            break;
        }
        if (splicing_form_p(x))
            cond_program_error(tc, "backquote: a splicing comma after a dot in %v", x);
        LispObj e = CAR(x);
        if (form_p(e, S(UNQUOTE))) {
            group = lisp_cons(tc, second(e), group);
        } else if (splicing_form_p(e)) {
            segs = lisp_cons(tc, second(e), flush_group(tc, group, segs));
            group = NIL;
        } else {
            group = lisp_cons(tc, qq(tc, e, depth + 1), group);
        }
    }
    if (!has_tail && x != NIL) {
        tail = qq(tc, x, depth + 1);  /* an atom or vector after the dot */
        has_tail = true;
    }
    return build_list(tc, segs, group, has_tail, tail);
}

static LispObj list_to_vector(ThContext *tc, LispObj list) {
    size_t n = 0;
    for (LispObj l = list; cons_p(l); l = CDR(l))
        n++;
    LispObj v = vec_make(tc, n, NIL);
    /* v is fresh and unpublished: initialising stores need no barrier. */
    for (size_t i = 0; i < n; i++, list = CDR(list))
        gc_init_store(&VEC(v)->items[i], CAR(list));
    return v;
}

/* `#(x ...) is (apply #'vector `(x ...)), shortened when possible. */
static LispObj qq_vector(ThContext *tc, LispObj v, int depth) {
    size_t n = vec_length(v);
    if (n == 0)
        return lisp_list(tc, 2, S(QUOTE), v);
    LispObj code = qq_list(tc, lisp_list_from(tc, n, VEC(v)->items), depth + 1);
    if (form_p(code, S(QUOTE)))
        return lisp_list(tc, 2, S(QUOTE), list_to_vector(tc, second(code)));
    if (cons_p(code) && CAR(code) == S(LIST))
        return lisp_cons(tc, S(VECTOR), CDR(code));
    LispObj fn = lisp_list(tc, 2, S(FUNCTION), S(VECTOR));
    return lisp_list(tc, 3, S(APPLY), fn, code);
}

static LispObj qq(ThContext *tc, LispObj x, int depth) {
    if (depth > QQ_MAX_DEPTH)
        cond_program_error(tc, "backquote: template nested more than %d levels deep",
                           (int)QQ_MAX_DEPTH);
    if (!cons_p(x))
        return vector_p(x) ? qq_vector(tc, x, depth) : quote_form(tc, x);
    if (form_p(x, S(UNQUOTE)))
        return second(x);
    if (splicing_form_p(x))
        cond_program_error(tc, "backquote: ,@ or ,. right after a backquote in %v", x);
    if (form_p(x, S(QUASIQUOTE))) {
        /* Innermost first: its code still holds the outer levels' commas. */
        LispObj inner = qq(tc, second(x), depth + 1);
        return qq(tc, inner, depth + 1);
    }
    return qq_list(tc, x, depth);
}

LispObj rd_expand_quasiquote(ThContext *tc, LispObj form) { return qq(tc, form, 0); }
