/* lisp/object.c — allocation of Lisp objects and the small helpers every
 * builtin uses (list walking, argument checks).
 *
 * Every constructor may collect.  The collector scans C stacks
 * conservatively, so LispObj locals stay valid across allocation.  Fresh
 * objects are filled with gc_init_store: nobody else can see them yet. */
#include "lisp/vm_impl.h"
#include "lisp/num_impl.h"
#include "lisp/array_impl.h"

#include <stdlib.h>

const char *const lisp_kind_names[KIND_COUNT] = {
    [KIND_NONE] = "NONE",
#define X(e, n, b) [KIND_##e] = n,
    LISP_KINDS(X)
#undef X
};
const unsigned char lisp_kind_nboxed[KIND_COUNT] = {
#define X(e, n, b) [KIND_##e] = b,
    LISP_KINDS(X)
#undef X
};

static _Noreturn void heap_exhausted(ThContext *tc, size_t bytes) {
    VmState *vs = tc->vm;
    if (vs->reporting_exhaustion) {
        vs->reporting_exhaustion = false;
        fputs("petrel: heap exhausted while signalling heap exhaustion; returning to top level\n", stderr);
        vm_emergency_unwind(tc);
    }
    vs->reporting_exhaustion = true;
    GcStats st;
    gc_get_stats(&st);
    LispObj msg = cond_format_message_v(tc, "heap exhausted: cannot allocate %zu bytes (heap %zu MB in use of %zu MB limit; live %zu MB). Use --dynamic-space-size to raise the limit.",
                           bytes, (size_t)(st.heap_bytes >> 20), (size_t)(st.heap_limit_bytes >> 20),
                           (size_t)(st.live_bytes >> 20));
    LispObj c = condition_make(tc, S(STORAGE_CONDITION), msg, NIL, NIL);
    vs->reporting_exhaustion = false;
    cond_signal_error(tc, c);
}

LispObj lisp_cons(ThContext *tc, LispObj car, LispObj cdr) {
    LispCons *c = gc_alloc_cons(&tc->gc);
    if (!c) heap_exhausted(tc, sizeof *c);
    gc_init_store(&c->car, car);
    gc_init_store(&c->cdr, cdr);
    return cons_from_ptr(c);
}

LispObj obj_alloc(ThContext *tc, unsigned kind, uint64_t nwords) {
    size_t bytes = (size_t)(nwords + 1) * sizeof(GcWord);
    if (nwords > ((uint64_t)1 << 40)) heap_exhausted(tc, SIZE_MAX);
    GcWord *p = gc_alloc(&tc->gc, bytes);
    if (!p) heap_exhausted(tc, bytes);
    p[0] = gc_make_header(kind, lisp_kind_nboxed[kind], nwords);
    return obj_from_ptr(p);
}

LispObj lisp_list_from(ThContext *tc, size_t n, const LispObj *items) {
    LispObj result = NIL;
    while (n > 0) result = lisp_cons(tc, items[--n], result);
    return result;
}

LispObj lisp_list(ThContext *tc, size_t n, ...) {
    LispObj items[16];
    PT_CHECK(n <= 16, "lisp_list: at most 16 items");
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) items[i] = va_arg(ap, LispObj);
    va_end(ap);
    return lisp_list_from(tc, n, items);
}

LispObj vec_make(ThContext *tc, size_t length, LispObj fill) {
    LispObj v = obj_alloc(tc, KIND_VECTOR, length);
    for (size_t i = 0; i < length; i++) gc_init_store(&VEC(v)->items[i], fill);
    return v;
}

LispObj str_make(ThContext *tc, size_t length, uint32_t fill) {
    LispObj s = obj_alloc(tc, KIND_STRING, 1 + (length * 4 + 7) / 8);
    STR(s)->length = fx_make((int64_t)length);
    for (size_t i = 0; i < length; i++) STR(s)->chars[i] = fill;
    return s;
}

/* Decodes UTF-8; a malformed byte stands for itself (Latin-1), so any byte
 * string gives a string. */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *out) {
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        uint32_t cp = 0;
        bool ok = len > 0 && i + len <= n;
        if (ok && len > 1) {
            cp = c & (0x7f >> len);
            for (size_t k = 1; k < len; k++) {
                if ((p[i + k] & 0xc0) != 0x80) { ok = false; break; }
                cp = (cp << 6) | (p[i + k] & 0x3f);
            }
            if (cp >= CHAR_CODE_LIMIT || (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
                (len == 4 && cp < 0x10000))
                ok = false;
        } else if (ok) {
            cp = c;
        }
        if (!ok) { cp = c; len = 1; }
        if (out) out[count] = cp;
        count++;
        i += len;
    }
    return count;
}

LispObj str_from_utf8(ThContext *tc, const char *utf8, size_t nbytes) {
    size_t n = utf8_decode((const unsigned char *)utf8, nbytes, NULL);
    LispObj s = str_make(tc, n, 0);
    utf8_decode((const unsigned char *)utf8, nbytes, STR(s)->chars);
    return s;
}

LispObj str_from_cstr(ThContext *tc, const char *utf8) { return str_from_utf8(tc, utf8, strlen(utf8)); }

static size_t utf8_encode(uint32_t c, char *b) {
    if (c < 0x80) { b[0] = (char)c; return 1; }
    if (c < 0x800) { b[0] = (char)(0xc0 | (c >> 6)); b[1] = (char)(0x80 | (c & 0x3f)); return 2; }
    if (c < 0x10000) {
        b[0] = (char)(0xe0 | (c >> 12)); b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
        b[2] = (char)(0x80 | (c & 0x3f)); return 3;
    }
    b[0] = (char)(0xf0 | (c >> 18)); b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
    b[2] = (char)(0x80 | ((c >> 6) & 0x3f)); b[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

size_t str_to_utf8(LispObj s, char *buf, size_t cap) {
    size_t need = 0, n = str_length(s);
    for (size_t i = 0; i < n; i++) {
        char tmp[4];
        size_t k = utf8_encode(STR(s)->chars[i], tmp);
        if (buf && need + k < cap) memcpy(buf + need, tmp, k);
        else if (buf && cap) { buf[need < cap ? need : cap - 1] = 0; buf = NULL; }
        need += k;
    }
    if (buf && cap) buf[need < cap ? need : cap - 1] = 0;
    return need;
}

bool str_equal_cstr(LispObj s, const char *ascii) {
    size_t n = strlen(ascii);
    if (!string_p(s) || str_length(s) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (STR(s)->chars[i] != (unsigned char)ascii[i]) return false;
    return true;
}

LispObj double_float_make(ThContext *tc, double d) {
    LispObj x = obj_alloc(tc, KIND_DOUBLE_FLOAT, 1);
    ((LispDouble *)obj_words(x))->value = d;
    return x;
}

LispObj ratio_make(ThContext *tc, LispObj num, LispObj den) {
    LispObj x = obj_alloc(tc, KIND_RATIO, 2);
    gc_init_store(&((LispRatio *)obj_words(x))->num, num);
    gc_init_store(&((LispRatio *)obj_words(x))->den, den);
    return x;
}

LispObj cell_make(ThContext *tc, LispObj value) {
    LispObj x = obj_alloc(tc, KIND_CELL, 1);
    gc_init_store(&((LispCell *)obj_words(x))->value, value);
    return x;
}

LispObj bytes_make(ThContext *tc, size_t length) {
    LispObj x = obj_alloc(tc, KIND_BYTES, 1 + (length + 7) / 8);
    ((LispBytes *)obj_words(x))->length = fx_make((int64_t)length);
    return x;
}

LispObj condition_make(ThContext *tc, LispObj type, LispObj message, LispObj args, LispObj plist) {
    LispObj c = obj_alloc(tc, KIND_CONDITION, CONDITION_NWORDS);
    gc_init_store(&CND(c)->type, type);
    gc_init_store(&CND(c)->message, message);
    gc_init_store(&CND(c)->args, args);
    gc_init_store(&CND(c)->plist, plist);
    return c;
}

LispObj num_from_int64(ThContext *tc, int64_t n) {
    if (!fx_in_range(n)) return int_from_i128(tc, n);
    return fx_make(n);
}

/* ---- lists ---- */

size_t lisp_list_length(ThContext *tc, LispObj list) {
    size_t n = 0;
    LispObj slow = list;
    for (LispObj x = list; x != NIL; n++) {
        if (!cons_p(x)) cond_type_error(tc, list, S(LIST_TYPE));
        x = CDR(x);
        if (n & 1) {
            slow = CDR(slow);
            if (slow == x && x != NIL) cond_type_error(tc, list, S(LIST_TYPE));
        }
    }
    return n;
}

LispObj lisp_nreverse(LispObj list) {
    LispObj result = NIL;
    while (cons_p(list)) {
        LispObj next = CDR(list);
        cons_set_cdr(list, result);
        result = list;
        list = next;
    }
    return result;
}

LispObj lisp_plist_get(LispObj plist, LispObj key, LispObj dflt) {
    for (; cons_p(plist) && cons_p(CDR(plist)); plist = CDR(CDR(plist)))
        if (CAR(plist) == key) return CAR(CDR(plist));
    return dflt;
}

/* ---- argument checks for builtins ---- */

int64_t arg_fixnum(ThContext *tc, LispObj x) {
    if (!fx_p(x)) cond_type_error(tc, x, S(FIXNUM));
    return fx_value(x);
}

LispObj arg_list(ThContext *tc, LispObj x) {
    if (!list_p(x)) cond_type_error(tc, x, S(LIST_TYPE));
    return x;
}

LispObj arg_symbol(ThContext *tc, LispObj x) {
    if (!symbol_p(x)) cond_type_error(tc, x, S(SYMBOL));
    return x;
}

/* A non-simple string (fill pointer, adjustable, displaced) is read
 * through a fresh simple copy of its active characters. */
LispObj arg_string(ThContext *tc, LispObj x) {
    if (string_p(x)) return x;
    if (arr_string_p(x)) return arr_simple_string(tc, x);
    cond_type_error(tc, x, S(STRING));
}

LispObj arg_string_designator(ThContext *tc, LispObj x) {
    if (string_p(x)) return x;
    if (arr_string_p(x)) return arr_simple_string(tc, x);
    if (symbol_p(x)) return SYM(x)->name;
    if (char_p(x)) return str_make(tc, 1, char_code(x));
    cond_type_error(tc, x, S(STRING_DESIGNATOR));
}

LispObj arg_function_designator(ThContext *tc, LispObj x) {
    if (function_p(x)) return x;
    if (symbol_p(x)) {
        LispObj f = __atomic_load_n(&SYM(x)->function, __ATOMIC_ACQUIRE);  /* may be redefined concurrently */
        if (f == LISP_UNBOUND || sym_flag_p(x, SYMF_MACRO | SYMF_SPECIAL_OPERATOR))
            f = cond_undefined_function(tc, x);
        return f;
    }
    cond_type_error(tc, x, S(FUNCTION_DESIGNATOR));
}

size_t arg_index(ThContext *tc, LispObj x, size_t limit) {
    if (!fx_p(x) || fx_value(x) < 0 || (uint64_t)fx_value(x) >= limit) {
        LispObj type = lisp_list(tc, 3, S(INTEGER), fx_make(0),
                                 lisp_list(tc, 1, fx_make((int64_t)limit)));
        cond_type_error(tc, x, type);
    }
    return (size_t)fx_value(x);
}
