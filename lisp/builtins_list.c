/* lisp/builtins_list.c — the list functions of CLHS chapter 14 (conses,
 * lists, association and property lists, the MAP* family) and the helpers
 * every builtins_*.c file shares: keyword-argument parsing, :test/:key,
 * bounding indices and sequence length.
 *
 * Invariants: a function whose argument the CLHS calls a "proper list"
 * signals type-error LIST on a dotted or circular list (tortoise and hare,
 * never an endless loop); stores into existing conses go through
 * cons_set_car/cons_set_cdr.  No state of its own: every function is
 * reentrant and touches only its arguments. */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/array_impl.h"

/* ---------------------------------------------------------------- helpers */

void bi_parse_keys(ThContext *tc, const char *op, size_t nargs, const LispObj *args,
                   size_t first, const LispObj *keys, size_t nkeys, LispObj *vals) {
    for (size_t k = 0; k < nkeys; k++) vals[k] = LISP_UNSUPPLIED;
    if (first > nargs) return;
    if ((nargs - first) % 2 != 0)
        cond_program_error(tc, "%s: odd number of keyword arguments", op);
    bool allow_other = false, seen_aok = false;
    for (size_t i = first; i < nargs; i += 2) {
        if (args[i] == S(ALLOW_OTHER_KEYS_KW) && !seen_aok) {
            seen_aok = true;
            allow_other = args[i + 1] != NIL;
        }
    }
    for (size_t i = first; i < nargs; i += 2) {
        LispObj key = args[i];
        if (!symbol_p(key))
            cond_program_error(tc, "%s: %v is not a keyword argument name", op, key);
        size_t k = 0;
        while (k < nkeys && keys[k] != key) k++;
        if (k < nkeys) {
            if (vals[k] == LISP_UNSUPPLIED) vals[k] = args[i + 1];
        } else if (key != S(ALLOW_OTHER_KEYS_KW) && !allow_other) {
            cond_program_error(tc, "%s: unknown keyword argument %v", op, key);
        }
    }
}

static enum BiTestKind test_kind(LispObj designator, LispObj fn) {
    if (designator == S(EQL) || fn == sym_function(S(EQL))) return BT_EQL;
    if (designator == S(EQ) || fn == sym_function(S(EQ))) return BT_EQ;
    if (designator == S(EQUAL) || fn == sym_function(S(EQUAL))) return BT_EQUAL;
    return BT_FN;
}

void bi_test_setup(ThContext *tc, BiTest *bt, const char *op, LispObj test, LispObj test_not,
                   LispObj key) {
    bool has_test = bi_supplied_p(test), has_not = bi_supplied_p(test_not);
    if (has_test && has_not)
        cond_program_error(tc, "%s: both :TEST and :TEST-NOT were supplied", op);
    LispObj designator = has_test ? test : has_not ? test_not : LISP_UNSUPPLIED;
    bt->negate = has_not;
    bt->fn = NIL;
    bt->kind = BT_EQL;
    if (designator != LISP_UNSUPPLIED) {
        bt->fn = arg_function_designator(tc, designator);
        bt->kind = test_kind(designator, bt->fn);
    }
    key = bi_or(key, NIL);
    bt->key = key == NIL ? NIL : arg_function_designator(tc, key);
}

void bi_pred_setup(ThContext *tc, BiTest *bt, LispObj pred, LispObj key, bool negate) {
    bt->kind = BT_PRED;
    bt->fn = arg_function_designator(tc, pred);
    key = bi_or(key, NIL);
    bt->key = key == NIL ? NIL : arg_function_designator(tc, key);
    bt->negate = negate;
}

LispObj bi_key_apply(ThContext *tc, const BiTest *bt, LispObj x) {
    return bt->key == NIL ? x : vm_funcall1(tc, bt->key, x);
}

bool bi_test_match(ThContext *tc, const BiTest *bt, LispObj item, LispObj elt) {
    LispObj k = bi_key_apply(tc, bt, elt);
    bool r;
    switch (bt->kind) {
    case BT_EQ: r = item == k; break;
    case BT_EQL: r = bi_eql(item, k); break;
    case BT_EQUAL: r = bi_equal(tc, item, k); break;
    case BT_PRED: r = vm_funcall1(tc, bt->fn, k) != NIL; break;
    default: r = vm_funcall2(tc, bt->fn, item, k) != NIL; break;
    }
    return r != bt->negate;
}

size_t bi_seq_length(ThContext *tc, LispObj seq) {
    if (list_p(seq)) return lisp_list_length(tc, seq);
    if (string_p(seq)) return str_length(seq);
    if (vector_p(seq)) return vec_length(seq);
    if (arr_vector_p(seq)) return arr_vector_length(seq);
    cond_type_error(tc, seq, S(SEQUENCE));
}

LispObj bi_integer_type(ThContext *tc, int64_t lo, int64_t hi) {
    return lisp_list(tc, 3, S(INTEGER), fx_make(lo), fx_make(hi));
}

_Noreturn void bi_index_error(ThContext *tc, LispObj datum, size_t limit) {
    LispObj excl = lisp_list(tc, 1, fx_make((int64_t)limit));
    cond_type_error(tc, datum, lisp_list(tc, 3, S(INTEGER), fx_make(0), excl));
}

size_t bi_nonneg(ThContext *tc, LispObj x) {
    if (!fx_p(x) || fx_value(x) < 0)
        cond_type_error(tc, x, lisp_list(tc, 3, S(INTEGER), fx_make(0), S(STAR)));
    return (size_t)fx_value(x);
}

void bi_bounds(ThContext *tc, LispObj start, LispObj end, size_t len, size_t *s, size_t *e) {
    size_t st = 0, en = len;
    if (bi_supplied_p(end) && end != NIL) {
        if (!fx_p(end) || fx_value(end) < 0 || (uint64_t)fx_value(end) > len)
            cond_type_error(tc, end, lisp_list(tc, 3, S(OR), S(NULL),
                                               bi_integer_type(tc, 0, (int64_t)len)));
        en = (size_t)fx_value(end);
    }
    if (bi_supplied_p(start)) {
        if (!fx_p(start) || fx_value(start) < 0 || (uint64_t)fx_value(start) > en)
            cond_type_error(tc, start, bi_integer_type(tc, 0, (int64_t)en));
        st = (size_t)fx_value(start);
    }
    *s = st;
    *e = en;
}

/* Conses in list, which may be dotted but not circular (type-error LIST). */
static size_t dotted_length(ThContext *tc, LispObj list) {
    size_t n = 0;
    LispObj slow = list, fast = list;
    while (cons_p(fast)) {
        fast = CDR(fast);
        n++;
        if (!cons_p(fast)) break;
        fast = CDR(fast);
        n++;
        slow = CDR(slow);
        if (fast == slow) cond_type_error(tc, list, S(LIST_TYPE));
    }
    return n;
}

/* Advances a proper-list walk: returns CDR(cur); *slow moves every other step
 * so that a circular list is caught.  type-error LIST (datum: the whole list)
 * if the list turns out dotted or circular. */
static inline LispObj next_proper(ThContext *tc, LispObj whole, LispObj cur, LispObj *slow,
                                  size_t *step) {
    LispObj next = CDR(cur);
    if (!list_p(next)) cond_type_error(tc, whole, S(LIST_TYPE));
    if ((++*step & 1) == 0) {
        *slow = CDR(*slow);
        if (*slow == next && next != NIL) cond_type_error(tc, whole, S(LIST_TYPE));
    }
    return next;
}

/* Collects into a fresh list: head/tail pair. */
typedef struct Collector { LispObj head, tail; } Collector;
static inline void collect_init(Collector *c) { c->head = c->tail = NIL; }
static void collect(ThContext *tc, Collector *c, LispObj x) {
    LispObj cell = lisp_cons(tc, x, NIL);
    if (c->tail == NIL) c->head = cell;
    else cons_set_cdr(c->tail, cell);
    c->tail = cell;
}

/* ------------------------------------------------------- CAR, CDR, C..R */

static LispObj car_of(ThContext *tc, LispObj x) {
    if (cons_p(x)) return CAR(x);
    if (x == NIL) return NIL;
    cond_type_error(tc, x, S(LIST_TYPE));
}
static LispObj cdr_of(ThContext *tc, LispObj x) {
    if (cons_p(x)) return CDR(x);
    if (x == NIL) return NIL;
    cond_type_error(tc, x, S(LIST_TYPE));
}
/* path: the A/D letters of the name, applied right to left. */
static LispObj cxr(ThContext *tc, LispObj x, const char *path) {
    for (size_t i = strlen(path); i-- > 0;) x = path[i] == 'A' ? car_of(tc, x) : cdr_of(tc, x);
    return x;
}

#define CXR_FUNCTIONS(X)                                                                \
    X(car, "A") X(cdr, "D")                                                             \
    X(caar, "AA") X(cadr, "AD") X(cdar, "DA") X(cddr, "DD")                             \
    X(caaar, "AAA") X(caadr, "AAD") X(cadar, "ADA") X(caddr, "ADD")                     \
    X(cdaar, "DAA") X(cdadr, "DAD") X(cddar, "DDA") X(cdddr, "DDD")                     \
    X(caaaar, "AAAA") X(caaadr, "AAAD") X(caadar, "AADA") X(caaddr, "AADD")             \
    X(cadaar, "ADAA") X(cadadr, "ADAD") X(caddar, "ADDA") X(cadddr, "ADDD")             \
    X(cdaaar, "DAAA") X(cdaadr, "DAAD") X(cdadar, "DADA") X(cdaddr, "DADD")             \
    X(cddaar, "DDAA") X(cddadr, "DDAD") X(cdddar, "DDDA") X(cddddr, "DDDD")

#define X(name, path) \
    static LispObj cl_##name(ThContext *tc, size_t nargs, LispObj *args) { \
        return cxr(tc, args[0], path); \
    }
CXR_FUNCTIONS(X)
#undef X

/* FIRST..TENTH: (nth i list). */
static LispObj nth_of(ThContext *tc, LispObj list, size_t n) {
    for (size_t i = 0; i < n; i++) list = cdr_of(tc, list);
    return car_of(tc, list);
}
#define NTH_FUNCTIONS(X) \
    X(first, 0) X(second, 1) X(third, 2) X(fourth, 3) X(fifth, 4) \
    X(sixth, 5) X(seventh, 6) X(eighth, 7) X(ninth, 8) X(tenth, 9)
#define X(name, i) \
    static LispObj cl_##name(ThContext *tc, size_t nargs, LispObj *args) { \
        return nth_of(tc, args[0], i); \
    }
NTH_FUNCTIONS(X)
#undef X

static LispObj cl_rest(ThContext *tc, size_t nargs, LispObj *args) { return cdr_of(tc, args[0]); }

/* ------------------------------------------------------- construction */

static LispObj cl_cons(ThContext *tc, size_t nargs, LispObj *args) {
    return lisp_cons(tc, args[0], args[1]);
}
static LispObj cl_list(ThContext *tc, size_t nargs, LispObj *args) {
    return lisp_list_from(tc, nargs, args);
}
static LispObj cl_list_star(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj r = args[nargs - 1];
    for (size_t i = nargs - 1; i-- > 0;) r = lisp_cons(tc, args[i], r);
    return r;
}

/* Appends a fresh copy of the proper list l to c. */
static void collect_copy(ThContext *tc, Collector *c, LispObj l) {
    lisp_list_length(tc, l); /* type-error if dotted or circular */
    for (; cons_p(l); l = CDR(l)) collect(tc, c, CAR(l));
}

static LispObj cl_append(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 0) return NIL;
    Collector c;
    collect_init(&c);
    for (size_t i = 0; i + 1 < nargs; i++) collect_copy(tc, &c, args[i]);
    if (c.tail == NIL) return args[nargs - 1];
    cons_set_cdr(c.tail, args[nargs - 1]);
    return c.head;
}

/* Last cons of a non-empty list that may be dotted (type-error if circular). */
static LispObj last_cons(ThContext *tc, LispObj list) {
    size_t n = dotted_length(tc, list);
    for (size_t i = 1; i < n; i++) list = CDR(list);
    return list;
}

static LispObj cl_nconc(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj result = NIL, tail = NIL;
    for (size_t i = 0; i < nargs; i++) {
        LispObj x = args[i];
        if (i + 1 < nargs) {
            if (x == NIL) continue;
            if (!cons_p(x)) cond_type_error(tc, x, S(LIST_TYPE));
        }
        if (tail == NIL) result = x;
        else cons_set_cdr(tail, x);
        if (cons_p(x)) tail = last_cons(tc, x);
    }
    return result;
}

static LispObj reverse_list(ThContext *tc, LispObj list) {
    lisp_list_length(tc, list);
    LispObj r = NIL;
    for (; cons_p(list); list = CDR(list)) r = lisp_cons(tc, CAR(list), r);
    return r;
}

static LispObj cl_reverse(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = args[0];
    if (list_p(s)) return reverse_list(tc, s);
    if (string_p(s)) {
        size_t n = str_length(s);
        LispObj r = str_make(tc, n, 0);
        for (size_t i = 0; i < n; i++) STR(r)->chars[i] = STR(s)->chars[n - 1 - i];
        return r;
    }
    if (vector_p(s)) {
        size_t n = vec_length(s);
        LispObj r = vec_make(tc, n, NIL);
        for (size_t i = 0; i < n; i++) gc_init_store(&VEC(r)->items[i], VEC(s)->items[n - 1 - i]);
        return r;
    }
    if (arr_vector_p(s)) {
        size_t n = arr_vector_length(s);
        LispObj r = arr_make_like(tc, s, n);
        for (size_t i = 0; i < n; i++) arr_storage_set(tc, r, i, arr_row_ref(tc, s, n - 1 - i));
        return r;
    }
    cond_type_error(tc, s, S(SEQUENCE));
}

static LispObj cl_nreverse(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = args[0];
    if (list_p(s)) {
        lisp_list_length(tc, s);  /* a proper list, or a type-error before any change */
        return lisp_nreverse(s);
    }
    if (string_p(s)) {
        uint32_t *c = STR(s)->chars;
        for (size_t i = 0, j = str_length(s); i + 1 < j; i++, j--) {
            uint32_t t = c[i]; c[i] = c[j - 1]; c[j - 1] = t;
        }
        return s;
    }
    if (vector_p(s)) {
        LispObj *v = VEC(s)->items;
        for (size_t i = 0, j = vec_length(s); i + 1 < j; i++, j--) {
            LispObj t = v[i];
            obj_set(&v[i], v[j - 1]);
            obj_set(&v[j - 1], t);
        }
        return s;
    }
    if (arr_vector_p(s)) {
        for (size_t i = 0, j = arr_vector_length(s); i + 1 < j; i++, j--) {
            LispObj t = arr_row_ref(tc, s, i);
            arr_row_set(tc, s, i, arr_row_ref(tc, s, j - 1));
            arr_row_set(tc, s, j - 1, t);
        }
        return s;
    }
    cond_type_error(tc, s, S(SEQUENCE));
}

static LispObj cl_length(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)bi_seq_length(tc, args[0]));
}

/* (nthcdr n list): list may be dotted (error when the dot is passed) or
 * circular (n reduced modulo the cycle so a huge n cannot hang). */
static LispObj nthcdr_of(ThContext *tc, size_t n, LispObj list) {
    LispObj mark = list;
    size_t since_mark = 0, power = 1;
    for (size_t i = 0; i < n; i++) {
        if (list == NIL) return NIL;
        if (!cons_p(list)) cond_type_error(tc, list, S(LIST_TYPE));
        list = CDR(list);
        since_mark++;
        if (list == mark && cons_p(list)) {
            /* Brent: the cycle has length since_mark; skip whole turns. */
            size_t left = n - i - 1;
            left %= since_mark;
            for (size_t j = 0; j < left; j++) list = CDR(list);
            return list;
        }
        if (since_mark == power) { mark = list; since_mark = 0; power *= 2; }
    }
    return list;
}

static LispObj cl_nthcdr(ThContext *tc, size_t nargs, LispObj *args) {
    return nthcdr_of(tc, bi_nonneg(tc, args[0]), args[1]);
}
static LispObj cl_nth(ThContext *tc, size_t nargs, LispObj *args) {
    return car_of(tc, nthcdr_of(tc, bi_nonneg(tc, args[0]), args[1]));
}

static LispObj cl_last(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj list = args[0];
    size_t n = nargs > 1 ? bi_nonneg(tc, args[1]) : 1;
    if (!list_p(list)) cond_type_error(tc, list, S(LIST_TYPE));
    size_t len = dotted_length(tc, list);
    for (size_t i = n; i < len; i++) list = CDR(list);
    return list;
}

static LispObj cl_butlast(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj list = args[0];
    size_t n = nargs > 1 ? bi_nonneg(tc, args[1]) : 1;
    if (!list_p(list)) cond_type_error(tc, list, S(LIST_TYPE));
    size_t len = dotted_length(tc, list);
    Collector c;
    collect_init(&c);
    for (size_t i = n; i < len; i++, list = CDR(list)) collect(tc, &c, CAR(list));
    return c.head;
}

static LispObj cl_copy_list(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj list = args[0];
    if (!list_p(list)) cond_type_error(tc, list, S(LIST_TYPE));
    size_t len = dotted_length(tc, list);
    Collector c;
    collect_init(&c);
    for (size_t i = 0; i < len; i++, list = CDR(list)) collect(tc, &c, CAR(list));
    if (c.tail != NIL) cons_set_cdr(c.tail, list);
    return c.head;
}

enum { TREE_DEPTH_LIMIT = 100000 };
static LispObj copy_tree(ThContext *tc, LispObj x, size_t depth) {
    if (!cons_p(x)) return x;
    if (depth > TREE_DEPTH_LIMIT)
        cond_storage_condition(tc, "COPY-TREE: tree nested deeper than %d conses", TREE_DEPTH_LIMIT);
    Collector c;
    collect_init(&c);
    for (; cons_p(x); x = CDR(x)) collect(tc, &c, copy_tree(tc, CAR(x), depth + 1));
    cons_set_cdr(c.tail, x);
    return c.head;
}
static LispObj cl_copy_tree(ThContext *tc, size_t nargs, LispObj *args) {
    return copy_tree(tc, args[0], 0);
}

/* ------------------------------------------------------- searching */

static void parse_test_keys(ThContext *tc, const char *op, size_t nargs, LispObj *args,
                            size_t first, BiTest *bt) {
    LispObj keys[3] = {S(TEST_KW), S(TEST_NOT_KW), S(KEY_KW)};
    LispObj vals[3];
    bi_parse_keys(tc, op, nargs, args, first, keys, 3, vals);
    bi_test_setup(tc, bt, op, vals[0], vals[1], vals[2]);
}

static LispObj cl_member(ThContext *tc, size_t nargs, LispObj *args) {
    BiTest bt;
    parse_test_keys(tc, "MEMBER", nargs, args, 2, &bt);
    LispObj list = args[1], slow = list;
    size_t step = 0;
    if (!list_p(list)) cond_type_error(tc, list, S(LIST_TYPE));
    for (LispObj l = list; cons_p(l); l = next_proper(tc, list, l, &slow, &step))
        if (bi_test_match(tc, &bt, args[0], CAR(l))) return l;
    return NIL;
}

/* ASSOC and RASSOC: which = 0 compares the car, 1 the cdr. */
static LispObj assoc_common(ThContext *tc, const char *op, size_t nargs, LispObj *args, int which) {
    BiTest bt;
    parse_test_keys(tc, op, nargs, args, 2, &bt);
    LispObj alist = args[1], slow = alist;
    size_t step = 0;
    if (!list_p(alist)) cond_type_error(tc, alist, S(LIST_TYPE));
    for (LispObj l = alist; cons_p(l); l = next_proper(tc, alist, l, &slow, &step)) {
        LispObj pair = CAR(l);
        if (pair == NIL) continue;
        if (!cons_p(pair)) cond_type_error(tc, pair, S(LIST_TYPE));
        if (bi_test_match(tc, &bt, args[0], which ? CDR(pair) : CAR(pair))) return pair;
    }
    return NIL;
}
static LispObj cl_assoc(ThContext *tc, size_t nargs, LispObj *args) {
    return assoc_common(tc, "ASSOC", nargs, args, 0);
}
static LispObj cl_rassoc(ThContext *tc, size_t nargs, LispObj *args) {
    return assoc_common(tc, "RASSOC", nargs, args, 1);
}

static LispObj cl_acons(ThContext *tc, size_t nargs, LispObj *args) {
    return lisp_cons(tc, lisp_cons(tc, args[0], args[1]), args[2]);
}

static LispObj cl_pairlis(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj keys = args[0], data = args[1], result = nargs > 2 ? args[2] : NIL;
    size_t nk = lisp_list_length(tc, keys), nd = lisp_list_length(tc, data);
    if (nk != nd)
        cond_error(tc, "PAIRLIS: the lists of keys and data have different lengths (%zu and %zu)",
                   nk, nd);
    for (; cons_p(keys); keys = CDR(keys), data = CDR(data))
        result = lisp_cons(tc, lisp_cons(tc, CAR(keys), CAR(data)), result);
    return result;
}

/* ------------------------------------------------------- mapping */

/* Shared driver: on_tails = fn sees the tails (MAPLIST, MAPL, MAPCON), not
 * the elements; mode 0 ignores results, 1 lists them, 2 nconcs them. */
static LispObj map_common(ThContext *tc, size_t nargs, LispObj *args, bool on_tails, int mode) {
    LispObj fn = arg_function_designator(tc, args[0]);
    size_t n = nargs - 1;
    LispObj lists = vec_make(tc, n, NIL), argv = vec_make(tc, n, NIL);
    for (size_t i = 0; i < n; i++) {
        if (!list_p(args[i + 1])) cond_type_error(tc, args[i + 1], S(LIST_TYPE));
        gc_init_store(&VEC(lists)->items[i], args[i + 1]);
    }
    Collector c;
    collect_init(&c);
    LispObj ntail = NIL, nhead = NIL;
    for (;;) {
        for (size_t i = 0; i < n; i++) {
            LispObj l = VEC(lists)->items[i];
            if (!cons_p(l)) {
                if (l != NIL) cond_type_error(tc, l, S(LIST_TYPE));
                goto done;
            }
            obj_set(&VEC(argv)->items[i], on_tails ? l : CAR(l));
            obj_set(&VEC(lists)->items[i], CDR(l));
        }
        LispObj r = vm_funcall(tc, fn, n, VEC(argv)->items);
        if (mode == 1) {
            collect(tc, &c, r);
        } else if (mode == 2 && r != NIL) {
            if (!cons_p(r)) cond_type_error(tc, r, S(LIST_TYPE));
            if (ntail == NIL) nhead = r;
            else cons_set_cdr(ntail, r);
            ntail = last_cons(tc, r);
        }
    }
done:
    if (mode == 1) return c.head;
    if (mode == 2) return nhead;
    return args[1];
}

static LispObj cl_mapcar(ThContext *tc, size_t nargs, LispObj *args) {
    return map_common(tc, nargs, args, false, 1);
}
static LispObj cl_mapc(ThContext *tc, size_t nargs, LispObj *args) {
    return map_common(tc, nargs, args, false, 0);
}
static LispObj cl_mapcan(ThContext *tc, size_t nargs, LispObj *args) {
    return map_common(tc, nargs, args, false, 2);
}
static LispObj cl_maplist(ThContext *tc, size_t nargs, LispObj *args) {
    return map_common(tc, nargs, args, true, 1);
}
static LispObj cl_mapl(ThContext *tc, size_t nargs, LispObj *args) {
    return map_common(tc, nargs, args, true, 0);
}
static LispObj cl_mapcon(ThContext *tc, size_t nargs, LispObj *args) {
    return map_common(tc, nargs, args, true, 2);
}

/* ------------------------------------------------------- mutation, tests */

static LispObj cl_rplaca(ThContext *tc, size_t nargs, LispObj *args) {
    if (!cons_p(args[0])) cond_type_error(tc, args[0], S(CONS_TYPE));
    cons_set_car(args[0], args[1]);
    return args[0];
}
static LispObj cl_rplacd(ThContext *tc, size_t nargs, LispObj *args) {
    if (!cons_p(args[0])) cond_type_error(tc, args[0], S(CONS_TYPE));
    cons_set_cdr(args[0], args[1]);
    return args[0];
}

static LispObj cl_endp(ThContext *tc, size_t nargs, LispObj *args) {
    if (args[0] == NIL) return T;
    if (cons_p(args[0])) return NIL;
    cond_type_error(tc, args[0], S(LIST_TYPE));
}

static LispObj cl_list_length(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj list = args[0], slow = list, fast = list;
    int64_t n = 0;
    for (;;) {
        if (fast == NIL) return fx_make(n);
        if (!cons_p(fast)) cond_type_error(tc, list, S(LIST_TYPE));
        fast = CDR(fast);
        n++;
        if (fast == NIL) return fx_make(n);
        if (!cons_p(fast)) cond_type_error(tc, list, S(LIST_TYPE));
        fast = CDR(fast);
        n++;
        slow = CDR(slow);
        if (fast == slow && cons_p(fast)) return NIL;
    }
}

/* ------------------------------------------------------- property lists */

/* The cons whose car is indicator in a property list, or NIL.  A plist of
 * odd length, dotted or circular → type-error LIST. */
static LispObj plist_find(ThContext *tc, LispObj plist, LispObj indicator) {
    LispObj slow = plist;
    size_t steps = 0;
    for (LispObj l = plist; l != NIL;) {
        if (!cons_p(l) || !cons_p(CDR(l))) cond_type_error(tc, plist, S(LIST_TYPE));
        if (CAR(l) == indicator) return l;
        l = CDR(CDR(l));
        if ((++steps & 1) == 0) slow = CDR(CDR(slow));
        if (l == slow && l != NIL) cond_type_error(tc, plist, S(LIST_TYPE));
    }
    return NIL;
}

static LispObj cl_getf(ThContext *tc, size_t nargs, LispObj *args) {
    if (!list_p(args[0])) cond_type_error(tc, args[0], S(LIST_TYPE));
    LispObj cell = plist_find(tc, args[0], args[1]);
    if (cell != NIL) return CAR(CDR(cell));
    return nargs > 2 ? args[2] : NIL;
}

static LispObj cl_get(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    LispObj cell = plist_find(tc, SYM(s)->plist, args[1]);
    if (cell != NIL) return CAR(CDR(cell));
    return nargs > 2 ? args[2] : NIL;
}

/* (sys:%put symbol indicator value) → value: the setf expansion of GET. */
static LispObj sys_put(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    LispObj cell = plist_find(tc, SYM(s)->plist, args[1]);
    if (cell != NIL) {
        cons_set_car(CDR(cell), args[2]);
    } else {
        LispObj plist = lisp_cons(tc, args[1], lisp_cons(tc, args[2], SYM(s)->plist));
        obj_set(&SYM(s)->plist, plist);
    }
    return args[2];
}

/* (remprop symbol indicator) → true if it was there. */
static LispObj cl_remprop(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_symbol(tc, args[0]);
    LispObj prev = NIL;
    plist_find(tc, SYM(s)->plist, args[1]); /* validates the plist */
    for (LispObj l = SYM(s)->plist; cons_p(l); prev = CDR(l), l = CDR(CDR(l))) {
        if (CAR(l) != args[1]) continue;
        if (prev == NIL) obj_set(&SYM(s)->plist, CDR(CDR(l)));
        else cons_set_cdr(prev, CDR(CDR(l)));
        return T;
    }
    return NIL;
}

/* ------------------------------------------------------- table */

const BuiltinSpec builtins_list[] = {
    {"CAR", "CL", cl_car, 1, 1, "list", "Returns the car of LIST (NIL for NIL)."},
    {"CDR", "CL", cl_cdr, 1, 1, "list", "Returns the cdr of LIST (NIL for NIL)."},
    {"CAAR", "CL", cl_caar, 1, 1, "list", "(car (car list))."},
    {"CADR", "CL", cl_cadr, 1, 1, "list", "(car (cdr list))."},
    {"CDAR", "CL", cl_cdar, 1, 1, "list", "(cdr (car list))."},
    {"CDDR", "CL", cl_cddr, 1, 1, "list", "(cdr (cdr list))."},
    {"CAAAR", "CL", cl_caaar, 1, 1, "list", "(car (car (car list)))."},
    {"CAADR", "CL", cl_caadr, 1, 1, "list", "(car (car (cdr list)))."},
    {"CADAR", "CL", cl_cadar, 1, 1, "list", "(car (cdr (car list)))."},
    {"CADDR", "CL", cl_caddr, 1, 1, "list", "(car (cdr (cdr list)))."},
    {"CDAAR", "CL", cl_cdaar, 1, 1, "list", "(cdr (car (car list)))."},
    {"CDADR", "CL", cl_cdadr, 1, 1, "list", "(cdr (car (cdr list)))."},
    {"CDDAR", "CL", cl_cddar, 1, 1, "list", "(cdr (cdr (car list)))."},
    {"CDDDR", "CL", cl_cdddr, 1, 1, "list", "(cdr (cdr (cdr list)))."},
    {"CAAAAR", "CL", cl_caaaar, 1, 1, "list", "(car (car (car (car list))))."},
    {"CAAADR", "CL", cl_caaadr, 1, 1, "list", "(car (car (car (cdr list))))."},
    {"CAADAR", "CL", cl_caadar, 1, 1, "list", "(car (car (cdr (car list))))."},
    {"CAADDR", "CL", cl_caaddr, 1, 1, "list", "(car (car (cdr (cdr list))))."},
    {"CADAAR", "CL", cl_cadaar, 1, 1, "list", "(car (cdr (car (car list))))."},
    {"CADADR", "CL", cl_cadadr, 1, 1, "list", "(car (cdr (car (cdr list))))."},
    {"CADDAR", "CL", cl_caddar, 1, 1, "list", "(car (cdr (cdr (car list))))."},
    {"CADDDR", "CL", cl_cadddr, 1, 1, "list", "(car (cdr (cdr (cdr list))))."},
    {"CDAAAR", "CL", cl_cdaaar, 1, 1, "list", "(cdr (car (car (car list))))."},
    {"CDAADR", "CL", cl_cdaadr, 1, 1, "list", "(cdr (car (car (cdr list))))."},
    {"CDADAR", "CL", cl_cdadar, 1, 1, "list", "(cdr (car (cdr (car list))))."},
    {"CDADDR", "CL", cl_cdaddr, 1, 1, "list", "(cdr (car (cdr (cdr list))))."},
    {"CDDAAR", "CL", cl_cddaar, 1, 1, "list", "(cdr (cdr (car (car list))))."},
    {"CDDADR", "CL", cl_cddadr, 1, 1, "list", "(cdr (cdr (car (cdr list))))."},
    {"CDDDAR", "CL", cl_cdddar, 1, 1, "list", "(cdr (cdr (cdr (car list))))."},
    {"CDDDDR", "CL", cl_cddddr, 1, 1, "list", "(cdr (cdr (cdr (cdr list))))."},
    {"FIRST", "CL", cl_first, 1, 1, "list", "Returns the first element of LIST."},
    {"SECOND", "CL", cl_second, 1, 1, "list", "Returns the second element of LIST."},
    {"THIRD", "CL", cl_third, 1, 1, "list", "Returns the third element of LIST."},
    {"FOURTH", "CL", cl_fourth, 1, 1, "list", "Returns the fourth element of LIST."},
    {"FIFTH", "CL", cl_fifth, 1, 1, "list", "Returns the fifth element of LIST."},
    {"SIXTH", "CL", cl_sixth, 1, 1, "list", "Returns the sixth element of LIST."},
    {"SEVENTH", "CL", cl_seventh, 1, 1, "list", "Returns the seventh element of LIST."},
    {"EIGHTH", "CL", cl_eighth, 1, 1, "list", "Returns the eighth element of LIST."},
    {"NINTH", "CL", cl_ninth, 1, 1, "list", "Returns the ninth element of LIST."},
    {"TENTH", "CL", cl_tenth, 1, 1, "list", "Returns the tenth element of LIST."},
    {"REST", "CL", cl_rest, 1, 1, "list", "Returns the cdr of LIST."},
    {"CONS", "CL", cl_cons, 2, 2, "object-1 object-2", "Returns a fresh cons of OBJECT-1 and OBJECT-2."},
    {"LIST", "CL", cl_list, 0, BUILTIN_REST, "&rest objects", "Returns a fresh list of OBJECTS."},
    {"LIST*", "CL", cl_list_star, 1, BUILTIN_REST, "&rest objects+",
     "Like LIST, but the last argument becomes the tail of the result."},
    {"APPEND", "CL", cl_append, 0, BUILTIN_REST, "&rest lists",
     "Concatenates copies of LISTS; the last argument is shared, not copied."},
    {"NCONC", "CL", cl_nconc, 0, BUILTIN_REST, "&rest lists",
     "Concatenates LISTS destructively, by changing the last cdr of each."},
    {"REVERSE", "CL", cl_reverse, 1, 1, "sequence", "Returns a fresh sequence with the elements of SEQUENCE in reverse order."},
    {"NREVERSE", "CL", cl_nreverse, 1, 1, "sequence", "Reverses SEQUENCE, possibly destructively, and returns it."},
    {"LENGTH", "CL", cl_length, 1, 1, "sequence", "Returns the number of elements of the proper sequence SEQUENCE."},
    {"NTH", "CL", cl_nth, 2, 2, "n list", "Returns element N (zero-based) of LIST."},
    {"NTHCDR", "CL", cl_nthcdr, 2, 2, "n list", "Returns the tail of LIST after N cdrs."},
    {"LAST", "CL", cl_last, 1, 2, "list &optional (n 1)", "Returns the last N conses of LIST."},
    {"BUTLAST", "CL", cl_butlast, 1, 2, "list &optional (n 1)", "Returns a copy of LIST without its last N conses."},
    {"COPY-LIST", "CL", cl_copy_list, 1, 1, "list", "Returns a copy of the list structure of LIST (dotted tails kept)."},
    {"COPY-TREE", "CL", cl_copy_tree, 1, 1, "tree", "Returns a copy of the tree of conses TREE."},
    {"MEMBER", "CL", cl_member, 2, BUILTIN_REST, "item list &key key test test-not",
     "Returns the tail of LIST starting at the first element satisfying the test with ITEM, or NIL."},
    {"ASSOC", "CL", cl_assoc, 2, BUILTIN_REST, "item alist &key key test test-not",
     "Returns the first cons of ALIST whose car satisfies the test with ITEM, or NIL."},
    {"RASSOC", "CL", cl_rassoc, 2, BUILTIN_REST, "item alist &key key test test-not",
     "Returns the first cons of ALIST whose cdr satisfies the test with ITEM, or NIL."},
    {"ACONS", "CL", cl_acons, 3, 3, "key datum alist", "Returns ((KEY . DATUM) . ALIST)."},
    {"PAIRLIS", "CL", cl_pairlis, 2, 3, "keys data &optional alist",
     "Adds the pairs of KEYS and DATA to the front of ALIST."},
    {"MAPCAR", "CL", cl_mapcar, 2, BUILTIN_REST, "function list &rest more-lists",
     "Lists the results of FUNCTION applied to successive elements of the lists."},
    {"MAPC", "CL", cl_mapc, 2, BUILTIN_REST, "function list &rest more-lists",
     "Applies FUNCTION to successive elements of the lists; returns LIST."},
    {"MAPCAN", "CL", cl_mapcan, 2, BUILTIN_REST, "function list &rest more-lists",
     "Like MAPCAR, but NCONCs the results."},
    {"MAPLIST", "CL", cl_maplist, 2, BUILTIN_REST, "function list &rest more-lists",
     "Lists the results of FUNCTION applied to successive tails of the lists."},
    {"MAPL", "CL", cl_mapl, 2, BUILTIN_REST, "function list &rest more-lists",
     "Applies FUNCTION to successive tails of the lists; returns LIST."},
    {"MAPCON", "CL", cl_mapcon, 2, BUILTIN_REST, "function list &rest more-lists",
     "Like MAPLIST, but NCONCs the results."},
    {"RPLACA", "CL", cl_rplaca, 2, 2, "cons object", "Sets the car of CONS to OBJECT; returns CONS."},
    {"RPLACD", "CL", cl_rplacd, 2, 2, "cons object", "Sets the cdr of CONS to OBJECT; returns CONS."},
    {"ENDP", "CL", cl_endp, 1, 1, "list", "True if LIST is NIL; NIL if it is a cons; type-error otherwise."},
    {"LIST-LENGTH", "CL", cl_list_length, 1, 1, "list",
     "Returns the length of LIST, or NIL if LIST is circular."},
    {"GETF", "CL", cl_getf, 2, 3, "plist indicator &optional default",
     "Returns the value of INDICATOR in the property list PLIST, or DEFAULT."},
    {"GET", "CL", cl_get, 2, 3, "symbol indicator &optional default",
     "Returns the value of INDICATOR in the property list of SYMBOL, or DEFAULT."},
    {"%PUT", "SYS", sys_put, 3, 3, "symbol indicator value",
     "Sets INDICATOR to VALUE on the property list of SYMBOL; returns VALUE (setf of GET)."},
    {"REMPROP", "CL", cl_remprop, 2, 2, "symbol indicator",
     "Removes INDICATOR from the property list of SYMBOL; true if it was there."},
    {0},
};
