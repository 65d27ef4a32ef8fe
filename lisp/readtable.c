/* lisp/readtable.c — readtables (CLHS 2.1.1, 23.2): the standard readtable,
 * *readtable*, copy-readtable, readtable-case, set-macro-character,
 * get-macro-character, make-dispatch-macro-character,
 * set-dispatch-macro-character, get-dispatch-macro-character,
 * set-syntax-from-char; and the reader's lookups (rd_syntax, rd_macro_of,
 * rd_dispatch_function) and calls of macro functions.
 *
 * Layout in reader_impl.h.  The standard macro and sub-character functions
 * are builtins (reader_macros.c); when the reader meets one it calls the C
 * function directly with its own state.  A user's macro function is called
 * with (stream char) and may read recursively: the reader state of the read
 * that called it is kept in the thread's VM (VmState.reader) for the
 * duration of the call, so READ with recursive-p continues that read (same
 * #n= labels, CLHS 23.1.3.2).
 *
 * Threads: the standard readtable is never modified (it is not the value of
 * *readtable* but a copy is; set-... on the standard one signals an error).
 * A readtable shared between threads is changed one word at a time (a
 * vector element, or a fresh alist consed in front and published), so a
 * concurrent read sees each entry old or new. */
#include "lisp/lisp.h"
#include "lisp/reader_impl.h"
#include "lisp/builtins_impl.h"
#include "lisp/vm_impl.h"

enum { ASCII = 128 };

static LispObj copy_into(ThContext *tc, LispObj from, LispObj to);

static bool readtable_p(LispObj x) { return kind_p(x, KIND_READTABLE); }

/* ---- lookups for the reader ---- */

static LispObj alist_get(LispObj alist, LispObj key) {
    for (; cons_p(alist); alist = CDR(alist))
        if (cons_p(CAR(alist)) && CAR(CAR(alist)) == key) return CAR(alist);
    return NIL;
}

static RdSyntax syntax_in(LispObj rt, int32_t c) {
    if (c >= 0 && c < ASCII) return (RdSyntax)fx_value(__atomic_load_n(&VEC(RT(rt)->syntax)->items[c], __ATOMIC_RELAXED));
    LispObj e = alist_get(RT(rt)->extra, char_make((uint32_t)c));
    return e == NIL ? RD_SYN_CONSTITUENT : (RdSyntax)fx_value(CAR(CDR(e)));
}

static LispObj macro_in(LispObj rt, int32_t c) {
    if (c >= 0 && c < ASCII) return __atomic_load_n(&VEC(RT(rt)->macros)->items[c], __ATOMIC_ACQUIRE);
    LispObj e = alist_get(RT(rt)->extra, char_make((uint32_t)c));
    return e == NIL ? NIL : CDR(CDR(e));
}

RdSyntax rd_syntax(RdState *st, int32_t c) { return syntax_in(st->rt, c); }

LispObj rd_macro_of(RdState *st, int32_t c) {
    RdSyntax s = syntax_in(st->rt, c);
    return s == RD_SYN_TERMINATING || s == RD_SYN_NON_TERMINATING ? macro_in(st->rt, c) : NIL;
}

static LispObj dispatch_table(LispObj rt, int32_t c) {
    LispObj e = alist_get(__atomic_load_n(&RT(rt)->dispatch, __ATOMIC_ACQUIRE), char_make((uint32_t)c));
    return e == NIL ? NIL : CDR(e);
}

/* Sub-characters are case-insensitive (CLHS 2.4.8); past ASCII there are none. */
LispObj rd_dispatch_function(RdState *st, int32_t c, int32_t sub) {
    LispObj table = dispatch_table(st->rt, c);
    uint32_t s = rd_char_upcase((uint32_t)sub);
    if (table == NIL || s >= ASCII) return NIL;
    return __atomic_load_n(&VEC(table)->items[s], __ATOMIC_ACQUIRE);
}

LispObj rd_current_readtable(ThContext *tc) {
    LispObj rt = sym_value(tc, S(STAR_READTABLE));
    return readtable_p(rt) ? rt : sym_value(tc, S(RT_STANDARD_READTABLE));
}

uint32_t rd_case_convert(RdState *st, uint32_t c) {
    if (st->rcase == S(UPCASE_KW)) return rd_char_upcase(c);
    if (st->rcase == S(DOWNCASE_KW)) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    return c;  /* :preserve, and :invert (decided per token) */
}

void rd_apply_invert(RdState *st) {
    bool upper = false, lower = false;
    for (size_t i = 0; i < st->len; i++) {
        if (rd_tok_escaped_at(st, i)) continue;
        uint32_t c = rd_tok_char(st, i);
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
    }
    if (upper == lower) return;  /* mixed case (or no letters): unchanged */
    for (size_t i = 0; i < st->len; i++) {
        uint32_t w = STR(st->buf)->chars[i];
        if (w & RD_ESCAPED) continue;
        if (w >= 'A' && w <= 'Z') STR(st->buf)->chars[i] = w + 32;
        else if (w >= 'a' && w <= 'z') STR(st->buf)->chars[i] = w - 32;
    }
}

/* ---- calling macro functions ---- */

typedef struct UserCall { RdState *st; LispObj fn; int nargs; LispObj args[3]; void *saved; } UserCall;

static LispObj call_user(ThContext *tc, void *data) {
    UserCall *u = data;
    tc->vm->reader = u->st;
    LispObj v = vm_funcall(tc, u->fn, (size_t)u->nargs, u->args);
    return vm_nvalues(tc) == 0 ? RD_NO_VALUES : v;
}

static void restore_reader(ThContext *tc, void *data) { tc->vm->reader = ((UserCall *)data)->saved; }

/* A user's function, with this read as the one recursive reads continue. */
static LispObj call_user_function(RdState *st, LispObj fn, int nargs, LispObj a, LispObj b, LispObj c) {
    UserCall u = {st, fn, nargs, {a, b, c}, st->tc->vm->reader};
    return vm_protect_call(st->tc, call_user, &u, restore_reader, &u);
}

static BuiltinFn builtin_fn(LispObj fn) {
    return kind_p(fn, KIND_BUILTIN) ? ((LispBuiltin *)obj_words(fn))->fn : NULL;
}

LispObj rd_call_macro(RdState *st, LispObj fn, int32_t c) {
    RdMacroFn impl = rd_std_macro_impl(builtin_fn(fn));
    if (impl) return impl(st, c);
    return call_user_function(st, fn, 2, st->stream, char_make((uint32_t)c), NIL);
}

LispObj rd_call_dispatch(RdState *st, LispObj fn, int32_t sub, int64_t arg) {
    RdSharpFn impl = rd_std_sharp_impl(builtin_fn(fn));
    if (impl) return impl(st, sub, arg);
    return call_user_function(st, fn, 3, st->stream, char_make((uint32_t)sub), arg == RD_NO_ARG ? NIL : fx_make(arg));
}

/* Lisp called a standard function: inside a read of that stream, continue
 * its state; else begin one (as READ would). */
static RdState *state_for(ThContext *tc, LispObj stream, RdState *fresh) {
    RdState *outer = tc->vm->reader;
    if (outer && outer->stream == stream) return outer;
    LispObj rt = rd_current_readtable(tc);
    *fresh = (RdState){.tc = tc, .stream = stream, .buf = NIL, .labels = NIL, .rt = rt, .rcase = RT(rt)->rcase};
    return fresh;
}

static LispObj as_values(ThContext *tc, RdState *st, LispObj x) {
    if (x == RD_NO_VALUES) return vm_values(tc, 0, NULL);
    if (x == RD_DOT || x == RD_CLOSE) RD_ERROR(st, "a lone dot or close parenthesis outside a list");
    return x;
}

static int32_t char_arg(ThContext *tc, LispObj c) {
    if (!char_p(c)) cond_type_error(tc, c, S(CHARACTER));
    return (int32_t)char_code(c);
}

static LispObj input_stream_arg(ThContext *tc, LispObj s) {
    return stm_input_designator(tc, s);
}

LispObj rd_lisp_call_macro(ThContext *tc, LispObj stream, LispObj ch, RdMacroFn impl) {
    RdState fresh, *st = state_for(tc, input_stream_arg(tc, stream), &fresh);
    return as_values(tc, st, impl(st, char_arg(tc, ch)));
}

LispObj rd_lisp_call_sharp(ThContext *tc, LispObj stream, LispObj sub, LispObj arg, RdSharpFn impl) {
    RdState fresh, *st = state_for(tc, input_stream_arg(tc, stream), &fresh);
    if (arg != NIL && !(fx_p(arg) && fx_value(arg) >= 0)) cond_type_error(tc, arg, S(UNSIGNED_BYTE));
    return as_values(tc, st, impl(st, char_arg(tc, sub), arg == NIL ? RD_NO_ARG : fx_value(arg)));
}

/* READ with recursive-p inside a macro function: continue the outer read. */
bool rd_continue_outer(ThContext *tc, LispObj stream, bool eof_error_p, LispObj eof_value, LispObj *out) {
    RdState *outer = tc->vm->reader;
    if (!outer || outer->stream != stream) return false;
    for (;;) {
        int32_t c = stm_peek_char(tc, stream);
        if (c < 0) {
            if (eof_error_p) cond_end_of_file(tc, stream);
            *out = eof_value;
            return true;
        }
        if (syntax_in(outer->rt, c) != RD_SYN_WHITESPACE) break;
        stm_read_char(tc, stream);
    }
    *out = rd_read_object(outer, false);
    return true;
}

/* (read-delimited-list char &optional stream recursive-p): objects up to
 * char, which ends the list whatever its syntax (CLHS). */
static LispObj cl_read_delimited_list(ThContext *tc, size_t nargs, LispObj *args) {
    int32_t delim = char_arg(tc, args[0]);
    LispObj stream = input_stream_arg(tc, nargs > 1 ? args[1] : NIL);
    RdState fresh, *st = state_for(tc, stream, &fresh);
    LispObj head = NIL, last = NIL;
    for (;;) {
        int32_t c = rd_next_char(st);
        if (c == delim) return rd_suppress_p(st) ? NIL : head;
        if (rd_syntax(st, c) == RD_SYN_WHITESPACE) continue;
        LispObj obj = rd_dispatch_char(st, c);
        if (obj == RD_NO_VALUES) continue;
        if (obj == RD_DOT || obj == RD_CLOSE)
            RD_ERROR(st, "READ-DELIMITED-LIST: a lone dot or close parenthesis before %a", args[0]);
        LispObj cell = lisp_cons(tc, obj, NIL);
        if (head == NIL) head = cell;
        else cons_set_cdr(last, cell);
        last = cell;
    }
}

static LispObj cl_read_preserving_whitespace(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj stream = input_stream_arg(tc, nargs > 0 ? args[0] : NIL);
    return rd_read_full(tc, stream, nargs > 1 ? args[1] != NIL : true, nargs > 2 ? args[2] : NIL,
                        nargs > 3 && args[3] != NIL, true);
}

/* ---- making readtables ---- */

static LispObj make_readtable(ThContext *tc, LispObj rcase, LispObj syntax, LispObj macros, LispObj dispatch,
                              LispObj extra) {
    LispObj rt = obj_alloc(tc, KIND_READTABLE, READTABLE_NWORDS);
    gc_init_store(&RT(rt)->rcase, rcase);
    gc_init_store(&RT(rt)->syntax, syntax);
    gc_init_store(&RT(rt)->macros, macros);
    gc_init_store(&RT(rt)->dispatch, dispatch);
    gc_init_store(&RT(rt)->extra, extra);
    return rt;
}

static LispObj builtin_named(ThContext *tc, const char *name) {
    return sym_function(pkg_intern_cstr(tc, name, pkg_system));
}

/* CLHS Figure 2-7. */
static RdSyntax standard_syntax(int c) {
    switch (c) {
    case ' ': case '\t': case '\n': case '\f': case '\r': return RD_SYN_WHITESPACE;
    case '\\': return RD_SYN_SINGLE_ESCAPE;
    case '|': return RD_SYN_MULTIPLE_ESCAPE;
    case 8: case 127: return RD_SYN_INVALID;
    default: return RD_SYN_CONSTITUENT;
    }
}

/* Built once (at startup from source; cores keep it). */
void rd_init_standard_readtable(ThContext *tc) {
    LispObj syntax = vec_make(tc, ASCII, fx_make(0)), macros = vec_make(tc, ASCII, NIL);
    LispObj sharp = vec_make(tc, ASCII, NIL);
    for (int c = 0; c < ASCII; c++) obj_set(&VEC(syntax)->items[c], fx_make(standard_syntax(c)));
    for (const RdStdMacro *m = rd_std_macros; m->impl; m++) {
        obj_set(&VEC(syntax)->items[m->c], fx_make(m->non_terminating ? RD_SYN_NON_TERMINATING : RD_SYN_TERMINATING));
        obj_set(&VEC(macros)->items[m->c], builtin_named(tc, m->name));
    }
    for (const RdStdSharp *s = rd_std_sharps; s->impl; s++)
        obj_set(&VEC(sharp)->items[s->sub], builtin_named(tc, s->name));
    LispObj dispatch = lisp_cons(tc, lisp_cons(tc, char_make('#'), sharp), NIL);
    LispObj rt = make_readtable(tc, S(UPCASE_KW), syntax, macros, dispatch, NIL);
    sym_set_value(tc, S(RT_STANDARD_READTABLE), rt);
    sym_set_value(tc, S(STAR_READTABLE), copy_into(tc, rt, NIL));  /* users change a copy */
}

static LispObj copy_vector(ThContext *tc, LispObj v) {
    LispObj c = vec_make(tc, vec_length(v), NIL);
    for (size_t i = 0; i < vec_length(v); i++) obj_set(&VEC(c)->items[i], VEC(v)->items[i]);
    return c;
}

static LispObj copy_alist(ThContext *tc, LispObj alist, bool copy_vectors) {
    LispObj out = NIL;
    for (LispObj l = alist; cons_p(l); l = CDR(l)) {
        LispObj e = CAR(l), v = CDR(e);
        if (copy_vectors && vector_p(v)) v = copy_vector(tc, v);
        else if (!copy_vectors && cons_p(v)) v = lisp_cons(tc, CAR(v), CDR(v));
        out = lisp_cons(tc, lisp_cons(tc, CAR(e), v), out);
    }
    return lisp_nreverse(out);
}

static LispObj copy_into(ThContext *tc, LispObj from, LispObj to) {
    LispObj syntax = copy_vector(tc, RT(from)->syntax), macros = copy_vector(tc, RT(from)->macros);
    LispObj dispatch = copy_alist(tc, RT(from)->dispatch, true), extra = copy_alist(tc, RT(from)->extra, false);
    if (to == NIL) return make_readtable(tc, RT(from)->rcase, syntax, macros, dispatch, extra);
    obj_set(&RT(to)->rcase, RT(from)->rcase);
    obj_set(&RT(to)->syntax, syntax);
    obj_set(&RT(to)->macros, macros);
    obj_set(&RT(to)->dispatch, dispatch);
    obj_set(&RT(to)->extra, extra);
    return to;
}

/* A readtable designator (NIL: the standard readtable). */
static LispObj readtable_arg(ThContext *tc, LispObj x) {
    if (x == NIL) return sym_value(tc, S(RT_STANDARD_READTABLE));
    if (!readtable_p(x)) cond_type_error(tc, x, S(TY_READTABLE));
    return x;
}

/* The readtable an operator changes: never the standard one (CLHS 2.1.1.2). */
static LispObj mutable_readtable(ThContext *tc, LispObj x, const char *op) {
    LispObj rt = readtable_arg(tc, x);
    if (rt == sym_value(tc, S(RT_STANDARD_READTABLE)))
        cond_error(tc, "%s: the standard readtable cannot be changed (change a copy: (copy-readtable nil))", op);
    return rt;
}

static LispObj current_or(ThContext *tc, size_t nargs, LispObj *args, size_t i) {
    return nargs > i ? args[i] : sym_value(tc, S(STAR_READTABLE));
}

/* ---- setting entries: one published word each ---- */

static void set_syntax(ThContext *tc, LispObj rt, int32_t c, RdSyntax syn, LispObj fn) {
    if (c < ASCII) {
        obj_set(&VEC(RT(rt)->macros)->items[c], fn);
        obj_set(&VEC(RT(rt)->syntax)->items[c], fx_make(syn));
        return;
    }
    LispObj entry = lisp_cons(tc, char_make((uint32_t)c), lisp_cons(tc, fx_make(syn), fn));
    obj_set(&RT(rt)->extra, lisp_cons(tc, entry, RT(rt)->extra));  /* shadows any older entry */
}

static LispObj cl_set_macro_character(ThContext *tc, size_t nargs, LispObj *args) {
    int32_t c = char_arg(tc, args[0]);
    LispObj fn = args[1];
    if (!function_p(fn) && !symbol_p(fn)) cond_type_error(tc, fn, S(FUNCTION_DESIGNATOR));
    bool non_terminating = nargs > 2 && args[2] != NIL;
    LispObj rt = mutable_readtable(tc, current_or(tc, nargs, args, 3), "SET-MACRO-CHARACTER");
    set_syntax(tc, rt, c, non_terminating ? RD_SYN_NON_TERMINATING : RD_SYN_TERMINATING, fn);
    return T;
}

static LispObj cl_get_macro_character(ThContext *tc, size_t nargs, LispObj *args) {
    int32_t c = char_arg(tc, args[0]);
    LispObj rt = readtable_arg(tc, current_or(tc, nargs, args, 1));
    RdSyntax s = syntax_in(rt, c);
    LispObj fn = s == RD_SYN_TERMINATING || s == RD_SYN_NON_TERMINATING ? macro_in(rt, c) : NIL;
    LispObj vals[2] = {fn, fn != NIL && s == RD_SYN_NON_TERMINATING ? T : NIL};
    return vm_values(tc, 2, vals);
}

static LispObj cl_make_dispatch_macro_character(ThContext *tc, size_t nargs, LispObj *args) {
    int32_t c = char_arg(tc, args[0]);
    bool non_terminating = nargs > 1 && args[1] != NIL;
    LispObj rt = mutable_readtable(tc, current_or(tc, nargs, args, 2), "MAKE-DISPATCH-MACRO-CHARACTER");
    LispObj table = vec_make(tc, ASCII, NIL);
    obj_set(&RT(rt)->dispatch, lisp_cons(tc, lisp_cons(tc, char_make((uint32_t)c), table), RT(rt)->dispatch));
    set_syntax(tc, rt, c, non_terminating ? RD_SYN_NON_TERMINATING : RD_SYN_TERMINATING,
               builtin_named(tc, "%READ-DISPATCH"));
    return T;
}

static LispObj dispatch_table_or_error(ThContext *tc, LispObj rt, int32_t c, const char *op) {
    LispObj table = dispatch_table(rt, c);
    if (table == NIL || rd_std_macro_impl(builtin_fn(macro_in(rt, c))) == NULL)
        cond_error(tc, "%s: %a is not a dispatching macro character", op, char_make((uint32_t)c));
    return table;
}

static int32_t sub_char_arg(ThContext *tc, LispObj x, const char *op) {
    int32_t s = char_arg(tc, x);
    if (s >= '0' && s <= '9') cond_error(tc, "%s: %a, a decimal digit, cannot be a sub-character", op, x);
    uint32_t u = rd_char_upcase((uint32_t)s);
    if (u >= ASCII) cond_error(tc, "%s: sub-character %a is past ASCII (not supported)", op, x);
    return (int32_t)u;
}

static LispObj cl_set_dispatch_macro_character(ThContext *tc, size_t nargs, LispObj *args) {
    int32_t c = char_arg(tc, args[0]);
    int32_t sub = sub_char_arg(tc, args[1], "SET-DISPATCH-MACRO-CHARACTER");
    LispObj fn = args[2];
    if (!function_p(fn) && !symbol_p(fn)) cond_type_error(tc, fn, S(FUNCTION_DESIGNATOR));
    LispObj rt = mutable_readtable(tc, current_or(tc, nargs, args, 3), "SET-DISPATCH-MACRO-CHARACTER");
    LispObj table = dispatch_table_or_error(tc, rt, c, "SET-DISPATCH-MACRO-CHARACTER");
    obj_set(&VEC(table)->items[sub], fn);
    return T;
}

static LispObj cl_get_dispatch_macro_character(ThContext *tc, size_t nargs, LispObj *args) {
    int32_t c = char_arg(tc, args[0]);
    int32_t sub = char_arg(tc, args[1]);
    LispObj rt = readtable_arg(tc, current_or(tc, nargs, args, 2));
    LispObj table = dispatch_table_or_error(tc, rt, c, "GET-DISPATCH-MACRO-CHARACTER");
    if (sub >= '0' && sub <= '9') return NIL;
    uint32_t u = rd_char_upcase((uint32_t)sub);
    return u < ASCII ? VEC(table)->items[u] : NIL;
}

/* (set-syntax-from-char to from &optional to-readtable from-readtable):
 * to gets from's syntax type and macro function; a dispatching character's
 * table is copied (CLHS set-syntax-from-char). */
static LispObj cl_set_syntax_from_char(ThContext *tc, size_t nargs, LispObj *args) {
    int32_t to = char_arg(tc, args[0]), from = char_arg(tc, args[1]);
    LispObj to_rt = mutable_readtable(tc, current_or(tc, nargs, args, 2), "SET-SYNTAX-FROM-CHAR");
    LispObj from_rt = readtable_arg(tc, nargs > 3 ? args[3] : NIL);
    RdSyntax s = syntax_in(from_rt, from);
    LispObj fn = s == RD_SYN_TERMINATING || s == RD_SYN_NON_TERMINATING ? macro_in(from_rt, from) : NIL;
    LispObj table = dispatch_table(from_rt, from);
    if (table != NIL)
        obj_set(&RT(to_rt)->dispatch, lisp_cons(tc, lisp_cons(tc, char_make((uint32_t)to), copy_vector(tc, table)),
                                                RT(to_rt)->dispatch));
    set_syntax(tc, to_rt, to, s, fn);
    return T;
}

static LispObj cl_copy_readtable(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj from = readtable_arg(tc, nargs > 0 ? args[0] : sym_value(tc, S(STAR_READTABLE)));
    LispObj to = nargs > 1 ? args[1] : NIL;
    if (to != NIL) to = mutable_readtable(tc, to, "COPY-READTABLE");
    return copy_into(tc, from, to);
}

static LispObj sys_standard_readtable(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs, (void)args;
    return sym_value(tc, S(RT_STANDARD_READTABLE));
}

static LispObj cl_readtablep(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return readtable_p(args[0]) ? T : NIL;
}

static LispObj cl_readtable_case(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return RT(readtable_arg(tc, args[0] == NIL ? NIL : args[0]))->rcase;
}

static LispObj sys_set_readtable_case(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    LispObj mode = args[0];
    if (mode != S(UPCASE_KW) && mode != S(DOWNCASE_KW) && mode != S(RT_PRESERVE_KW) &&
        mode != S(RT_INVERT_KW))
        cond_type_error(tc, mode, lisp_list(tc, 5, S(MEMBER), S(UPCASE_KW), S(DOWNCASE_KW),
                                            S(RT_PRESERVE_KW), S(RT_INVERT_KW)));
    if (!readtable_p(args[1])) cond_type_error(tc, args[1], S(TY_READTABLE));
    LispObj rt = mutable_readtable(tc, args[1], "(SETF READTABLE-CASE)");
    obj_set(&RT(rt)->rcase, mode);
    return mode;
}

const BuiltinSpec builtins_readtable[] = {
    {"READTABLEP", "CL", cl_readtablep, 1, 1, "object", "True if OBJECT is a readtable."},
    {"READ-PRESERVING-WHITESPACE", "CL", cl_read_preserving_whitespace, 0, 4,
     "&optional input-stream (eof-error-p t) eof-value recursive-p",
     "READ, but a whitespace character that ends the object is left in the stream."},
    {"READ-DELIMITED-LIST", "CL", cl_read_delimited_list, 1, 3, "char &optional input-stream recursive-p",
     "The objects read from INPUT-STREAM up to CHAR, as a list."},
    {"COPY-READTABLE", "CL", cl_copy_readtable, 0, 2, "&optional (from-readtable *readtable*) to-readtable",
     "A copy of FROM-READTABLE (NIL: the standard readtable), into TO-READTABLE if given."},
    {"READTABLE-CASE", "CL", cl_readtable_case, 1, 1, "readtable",
     "One of :UPCASE :DOWNCASE :PRESERVE :INVERT: how the reader changes the case of tokens."},
    {"%STANDARD-READTABLE", "SYS", sys_standard_readtable, 0, 0, "",
     "The standard readtable (read only: WITH-STANDARD-IO-SYNTAX binds *readtable* to it)."},
    {"%SET-READTABLE-CASE", "SYS", sys_set_readtable_case, 2, 2, "mode readtable", "(setf readtable-case)."},
    {"SET-MACRO-CHARACTER", "CL", cl_set_macro_character, 2, 4,
     "char new-function &optional non-terminating-p (readtable *readtable*)",
     "Makes CHAR a macro character whose function (stream char) reads what follows it."},
    {"GET-MACRO-CHARACTER", "CL", cl_get_macro_character, 1, 2, "char &optional (readtable *readtable*)",
     "CHAR's macro function (or NIL) and whether it is non-terminating."},
    {"MAKE-DISPATCH-MACRO-CHARACTER", "CL", cl_make_dispatch_macro_character, 1, 3,
     "char &optional non-terminating-p (readtable *readtable*)",
     "Makes CHAR a dispatching macro character with an empty dispatch table."},
    {"SET-DISPATCH-MACRO-CHARACTER", "CL", cl_set_dispatch_macro_character, 3, 4,
     "disp-char sub-char new-function &optional (readtable *readtable*)",
     "Sets the function (stream sub-char arg) of DISP-CHAR followed by SUB-CHAR."},
    {"GET-DISPATCH-MACRO-CHARACTER", "CL", cl_get_dispatch_macro_character, 2, 3,
     "disp-char sub-char &optional (readtable *readtable*)",
     "The function of DISP-CHAR followed by SUB-CHAR, or NIL."},
    {"SET-SYNTAX-FROM-CHAR", "CL", cl_set_syntax_from_char, 2, 4,
     "to-char from-char &optional (to-readtable *readtable*) from-readtable",
     "Gives TO-CHAR the syntax of FROM-CHAR in FROM-READTABLE (default: the standard one)."},
    {0},
};
