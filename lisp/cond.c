/* lisp/cond.c — the condition system's C core: condition objects, the
 * standard type hierarchy and user types (define-condition), signalling
 * through handler clusters, *break-on-signals*, the entry to the debugger,
 * and the signallers every C builtin uses for bad input.
 *
 * Types: a condition type is a symbol whose plist holds, under
 * CONDITION, its direct parents; user types (define-condition) add their
 * direct slots (%CONDITION-SLOTS: list of (name initargs initfunction)),
 * default initargs (%CONDITION-DEFAULT-INITARGS: plist of key → thunk) and
 * reporter (%CONDITION-REPORTER: string or function of (condition stream)).
 * RESTART is a second root (restarts are condition-kind objects whose type
 * is RESTART, never a subtype of CONDITION; see builtins_restarts.c).
 *
 * Objects: a condition's plist holds its slot values keyed by slot name,
 * followed by the initargs it was made with.  The standard types' slots are
 * named by their initarg keywords (:DATUM, :NAME, ...), which is what C code
 * passes to condition_make, so the standard readers read either kind.
 *
 * Handlers: the special variable SYS:*HANDLER-CLUSTERS* holds a list of
 * clusters, each a list of (type . function); handler-bind binds it.  A
 * handler runs with the clusters outside its own cluster, and declines by
 * returning.  When nobody transfers control, an error enters the debugger:
 * *debugger-hook* first, then the interactive debugger (SYS:%DEBUGGER-LOOP,
 * conditions.lisp) when the REPL has enabled it, else the condition is
 * thrown to the innermost SYS:%TOPLEVEL catch (REPL, --script, --eval and
 * vm_call_protected establish one), which reports it.
 *
 * Shared state: the hierarchy lives on symbol plists, written at startup
 * and by define-condition (top-level forms, not synchronised). */
#include "lisp/cond_impl.h"

#include <stdlib.h>

/* ---- hierarchy ---- */

static const struct { int type, parent1, parent2; } hierarchy[] = {
    {SYM_SERIOUS_CONDITION, SYM_CONDITION, -1},
    {SYM_ERROR, SYM_SERIOUS_CONDITION, -1},
    {SYM_WARNING, SYM_CONDITION, -1},
    {SYM_STYLE_WARNING, SYM_WARNING, -1},
    {SYM_SIMPLE_CONDITION, SYM_CONDITION, -1},
    {SYM_SIMPLE_ERROR, SYM_SIMPLE_CONDITION, SYM_ERROR},
    {SYM_SIMPLE_WARNING, SYM_SIMPLE_CONDITION, SYM_WARNING},
    {SYM_TYPE_ERROR, SYM_ERROR, -1},
    {SYM_SIMPLE_TYPE_ERROR, SYM_SIMPLE_CONDITION, SYM_TYPE_ERROR},
    {SYM_PROGRAM_ERROR, SYM_ERROR, -1},
    {SYM_CONTROL_ERROR, SYM_ERROR, -1},
    {SYM_CELL_ERROR, SYM_ERROR, -1},
    {SYM_UNBOUND_VARIABLE, SYM_CELL_ERROR, -1},
    {SYM_UNDEFINED_FUNCTION, SYM_CELL_ERROR, -1},
    {SYM_UNBOUND_SLOT, SYM_CELL_ERROR, -1},
    {SYM_ARITHMETIC_ERROR, SYM_ERROR, -1},
    {SYM_DIVISION_BY_ZERO, SYM_ARITHMETIC_ERROR, -1},
    {SYM_FLOATING_POINT_OVERFLOW, SYM_ARITHMETIC_ERROR, -1},
    {SYM_FLOATING_POINT_UNDERFLOW, SYM_ARITHMETIC_ERROR, -1},
    {SYM_FLOATING_POINT_INEXACT, SYM_ARITHMETIC_ERROR, -1},
    {SYM_FLOATING_POINT_INVALID_OPERATION, SYM_ARITHMETIC_ERROR, -1},
    {SYM_STREAM_ERROR, SYM_ERROR, -1},
    {SYM_END_OF_FILE, SYM_STREAM_ERROR, -1},
    {SYM_PARSE_ERROR, SYM_ERROR, -1},
    {SYM_READER_ERROR, SYM_PARSE_ERROR, SYM_STREAM_ERROR},
    {SYM_FILE_ERROR, SYM_ERROR, -1},
    {SYM_PACKAGE_ERROR, SYM_ERROR, -1},
    {SYM_PRINT_NOT_READABLE, SYM_ERROR, -1},
    {SYM_STORAGE_CONDITION, SYM_SERIOUS_CONDITION, -1},
    {SYM_FORMAT_ERROR, SYM_ERROR, -1},
};

static LispObj parents_key(void) { return S(CONDITION); }

/* Sets a property of a condition type (on its symbol's plist). */
void cond_set_type_property(ThContext *tc, LispObj type, LispObj key, LispObj value) {
    LispObj plist = SYM(type)->plist;
    for (LispObj l = plist; cons_p(l) && cons_p(CDR(l)); l = CDR(CDR(l)))
        if (CAR(l) == key) {
            cons_set_car(CDR(l), value);
            return;
        }
    obj_set(&SYM(type)->plist, lisp_cons(tc, key, lisp_cons(tc, value, plist)));
}

static LispObj type_property(LispObj type, LispObj key) {
    return symbol_p(type) ? lisp_plist_get(SYM(type)->plist, key, NIL) : NIL;
}

/* Records parents on the plist: (condition (parents...)). */
void cond_define_type(ThContext *tc, LispObj type, LispObj parents) {
    cond_set_type_property(tc, type, parents_key(), parents);
}

void cond_init_hierarchy(ThContext *tc) {
    cond_define_type(tc, S(CONDITION), NIL);
    cond_define_type(tc, S(TY_RESTART), NIL);  /* a second root: see the file comment */
    for (size_t i = 0; i < sizeof hierarchy / sizeof hierarchy[0]; i++) {
        LispObj parents = lisp_cons(tc, lisp_syms[hierarchy[i].parent1], NIL);
        if (hierarchy[i].parent2 >= 0) parents = lisp_cons(tc, lisp_syms[hierarchy[i].parent2], parents);
        cond_define_type(tc, lisp_syms[hierarchy[i].type], parents);
    }
}

static bool condition_type_p(LispObj sym) {
    return symbol_p(sym) && lisp_plist_get(SYM(sym)->plist, parents_key(), LISP_UNBOUND) != LISP_UNBOUND;
}

bool cond_subtype_p(LispObj sub, LispObj super) {
    if (sub == super || super == T) return true;
    if (!symbol_p(sub)) return false;
    LispObj parents = lisp_plist_get(SYM(sub)->plist, parents_key(), NIL);
    for (int guard = 0; cons_p(parents) && guard < 1000; parents = CDR(parents), guard++)
        if (cond_subtype_p(CAR(parents), super)) return true;
    return false;
}

bool cond_condition_type_p(LispObj sym) {
    return condition_type_p(sym) && cond_subtype_p(sym, S(CONDITION));
}

bool cond_restart_p(LispObj x) { return condition_p(x) && CND(x)->type == S(TY_RESTART); }

/* The type and all its ancestors, the type first, depth first, each once:
 * the order slots, default initargs and reporters are looked up in. */
static LispObj ancestors(ThContext *tc, LispObj type, LispObj acc, int depth) {
    if (depth > 100 || !symbol_p(type)) return acc;
    for (LispObj l = acc; cons_p(l); l = CDR(l))
        if (CAR(l) == type) return acc;
    acc = lisp_cons(tc, type, acc);
    for (LispObj p = type_property(type, parents_key()); cons_p(p); p = CDR(p))
        acc = ancestors(tc, CAR(p), acc, depth + 1);
    return acc;
}

static LispObj type_ancestors(ThContext *tc, LispObj type) {
    return lisp_nreverse(ancestors(tc, type, NIL, 0));
}

/* ---- making conditions (CLHS make-condition, define-condition) ---- */

static bool plist_find(LispObj plist, LispObj key, LispObj *value) {
    for (; cons_p(plist) && cons_p(CDR(plist)); plist = CDR(CDR(plist)))
        if (CAR(plist) == key) {
            *value = CAR(CDR(plist));
            return true;
        }
    return false;
}

/* Default initargs of the type and its ancestors not given in initargs,
 * evaluated (each thunk called once): a plist. */
static LispObj default_initargs(ThContext *tc, LispObj anc, LispObj initargs) {
    LispObj extra = NIL, v;
    for (; cons_p(anc); anc = CDR(anc))
        for (LispObj d = type_property(CAR(anc), S(CND_DEFAULT_INITARGS_KEY)); cons_p(d) && cons_p(CDR(d));
             d = CDR(CDR(d)))
            if (!plist_find(initargs, CAR(d), &v) && !plist_find(extra, CAR(d), &v)) {
                LispObj key = CAR(d), thunk = CAR(CDR(d));
                LispObj value = function_p(thunk) ? vm_funcall0(tc, thunk) : thunk;
                extra = lisp_cons(tc, key, lisp_cons(tc, value, extra));
            }
    return extra;
}

/* Value of one slot from the initargs, else its initform; false if neither. */
static bool slot_initial_value(ThContext *tc, LispObj slot, LispObj initargs, LispObj *value) {
    LispObj rest = CDR(slot);
    for (LispObj k = cons_p(rest) ? CAR(rest) : NIL; cons_p(k); k = CDR(k))
        if (plist_find(initargs, CAR(k), value)) return true;
    LispObj initfn = cons_p(rest) && cons_p(CDR(rest)) ? CAR(CDR(rest)) : NIL;
    if (!function_p(initfn)) return false;
    *value = vm_funcall0(tc, initfn);
    return true;
}

static LispObj append2(ThContext *tc, LispObj a, LispObj b) {
    LispObj rev = NIL;
    for (; cons_p(a); a = CDR(a)) rev = lisp_cons(tc, CAR(a), rev);
    for (; cons_p(rev); rev = CDR(rev)) b = lisp_cons(tc, CAR(rev), b);
    return b;
}

/* A slot descriptor is (name initargs initfunction [cell]); a cell (a cons
 * whose car is the value) marks a slot of :allocation :class, shared by
 * every condition of the type and its subtypes.  Its value lives in the
 * cell, not in the conditions; an initarg given to make-condition sets it. */
static LispObj slot_cell(LispObj slot) {
    LispObj rest = CDR(slot);
    for (int i = 0; i < 2 && cons_p(rest); i++) rest = CDR(rest);
    return cons_p(rest) && cons_p(CAR(rest)) ? CAR(rest) : NIL;
}

static bool slot_initarg(LispObj slot, LispObj initargs, LispObj *value) {
    LispObj rest = CDR(slot);
    for (LispObj k = cons_p(rest) ? CAR(rest) : NIL; cons_p(k); k = CDR(k))
        if (plist_find(initargs, CAR(k), value)) return true;
    return false;
}

/* The cell of the class slot named name in type or an ancestor, or NIL. */
static LispObj class_slot_cell(ThContext *tc, LispObj type, LispObj name) {
    for (LispObj a = type_ancestors(tc, type); cons_p(a); a = CDR(a))
        for (LispObj s = type_property(CAR(a), S(CND_SLOTS_KEY)); cons_p(s); s = CDR(s))
            if (cons_p(CAR(s)) && CAR(CAR(s)) == name) return slot_cell(CAR(s));
    return NIL;
}

/* A condition of type from initargs: slot values from initargs, default
 * initargs, then initforms (CLHS make-condition). */
LispObj cond_make(ThContext *tc, LispObj type, LispObj initargs) {
    LispObj anc = type_ancestors(tc, type);
    LispObj all = append2(tc, initargs, default_initargs(tc, anc, initargs));
    LispObj slots = NIL, v;
    for (LispObj a = anc; cons_p(a); a = CDR(a))
        for (LispObj s = type_property(CAR(a), S(CND_SLOTS_KEY)); cons_p(s); s = CDR(s)) {
            LispObj slot = CAR(s);
            if (!cons_p(slot) || plist_find(slots, CAR(slot), &v)) continue;
            LispObj cell = slot_cell(slot);
            if (cell != NIL) {
                if (slot_initarg(slot, all, &v)) cons_set_car(cell, v);
                slots = lisp_cons(tc, CAR(slot), lisp_cons(tc, LISP_UNBOUND, slots));  /* seen: not per condition */
                continue;
            }
            if (slot_initial_value(tc, slot, all, &v)) slots = lisp_cons(tc, CAR(slot), lisp_cons(tc, v, slots));
        }
    LispObj plist = all;
    for (; cons_p(slots); slots = CDR(CDR(slots)))
        if (CAR(CDR(slots)) != LISP_UNBOUND) plist = lisp_cons(tc, CAR(slots), lisp_cons(tc, CAR(CDR(slots)), plist));
    return condition_make(tc, type, NIL, NIL, plist);
}

LispObj cond_slot_value(ThContext *tc, LispObj c, LispObj slot) {
    LispObj v;
    if (!condition_p(c)) cond_type_error(tc, c, S(CONDITION));
    LispObj cell = class_slot_cell(tc, CND(c)->type, slot);
    if (cell != NIL) return CAR(cell);
    if (plist_find(CND(c)->plist, slot, &v)) return v;
    LispObj msg = cond_format_message_v(tc, "The slot %v is unbound in the condition %v.", slot, c);
    cond_signal_error(tc, condition_make(tc, S(UNBOUND_SLOT), msg, NIL,
                                         lisp_list(tc, 4, S(NAME_KW), slot, S(CND_INSTANCE_KW), c)));
}

void cond_set_slot_value(ThContext *tc, LispObj c, LispObj slot, LispObj value) {
    if (!condition_p(c)) cond_type_error(tc, c, S(CONDITION));
    LispObj cell = class_slot_cell(tc, CND(c)->type, slot);
    if (cell != NIL) {
        cons_set_car(cell, value);
        return;
    }
    for (LispObj l = CND(c)->plist; cons_p(l) && cons_p(CDR(l)); l = CDR(CDR(l)))
        if (CAR(l) == slot) {
            cons_set_car(CDR(l), value);
            return;
        }
    obj_set(&CND(c)->plist, lisp_cons(tc, slot, lisp_cons(tc, value, CND(c)->plist)));
}

/* typep for handler types: symbols, (or ...), (and ...), (not ...). */
bool cond_typep(LispObj c, LispObj type) {
    if (type == T) return true;
    if (symbol_p(type)) return condition_p(c) && cond_subtype_p(CND(c)->type, type);
    if (cons_p(type)) {
        LispObj op = CAR(type);
        if (op == S(OR)) {
            for (LispObj l = CDR(type); cons_p(l); l = CDR(l))
                if (cond_typep(c, CAR(l))) return true;
            return false;
        }
        if (op == S(AND)) {
            for (LispObj l = CDR(type); cons_p(l); l = CDR(l))
                if (!cond_typep(c, CAR(l))) return false;
            return true;
        }
        if (op == S(NOT) && cons_p(CDR(type))) return !cond_typep(c, CAR(CDR(type)));
    }
    return false;
}

/* ---- messages ---- */

/* Objects in messages are printed with *print-circle* and generous length
 * and depth limits: a message about a huge or circular object (the reader
 * can now build those with #n=) must stay short and finite. */
static void print_bounded(ThContext *tc, LispObj x, LispObj out, bool escape) {
    size_t saved = tc->bind_top;
    sym_bind(tc, S(STAR_PRINT_CIRCLE), T);
    if (!fx_p(sym_value(tc, S(STAR_PRINT_LENGTH)))) sym_bind(tc, S(STAR_PRINT_LENGTH), fx_make(100));
    if (!fx_p(sym_value(tc, S(STAR_PRINT_LEVEL)))) sym_bind(tc, S(STAR_PRINT_LEVEL), fx_make(20));
    if (escape) pr_prin1(tc, x, out);
    else pr_princ(tc, x, out);
    sym_unbind_to(tc, saved);
}

LispObj cond_format_message(ThContext *tc, const char *fmt, va_list ap) {
    LispObj out = stm_make_string_output(tc);
    char buf[64];
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            const char *q = p;
            while (q[1] && q[1] != '%') q++;
            LispObj piece = str_from_utf8(tc, p, (size_t)(q - p + 1));
            stm_write_string(tc, out, piece, 0, str_length(piece));
            p = q;
            continue;
        }
        p++;
        if (*p == 'l' && p[1] == 'd') { p++; snprintf(buf, sizeof buf, "%ld", va_arg(ap, long)); stm_write_cstr(tc, out, buf); }
        else if (*p == 'z' && p[1] == 'u') { p++; snprintf(buf, sizeof buf, "%zu", va_arg(ap, size_t)); stm_write_cstr(tc, out, buf); }
        else if (*p == 'd') { snprintf(buf, sizeof buf, "%d", va_arg(ap, int)); stm_write_cstr(tc, out, buf); }
        else if (*p == 'u') { snprintf(buf, sizeof buf, "%u", va_arg(ap, unsigned)); stm_write_cstr(tc, out, buf); }
        else if (*p == 'c') stm_write_char(tc, out, (uint32_t)va_arg(ap, int));
        else if (*p == 's') stm_write_cstr(tc, out, va_arg(ap, const char *));
        else if (*p == 'v') print_bounded(tc, va_arg(ap, LispObj), out, true);
        else if (*p == 'a') print_bounded(tc, va_arg(ap, LispObj), out, false);
        else if (*p == '%') stm_write_char(tc, out, '%');
        else if (*p == 0) break;
        else pt_fatal("cond_format_message: bad directive %%%c in \"%s\"", *p, fmt);
    }
    return stm_get_output_string(tc, out);
}

static LispObj make_message(ThContext *tc, const char *fmt, va_list ap) {
    return cond_format_message(tc, fmt, ap);
}

/* The nearest reporter (define-condition :report) of type or its ancestors. */
static LispObj find_reporter(ThContext *tc, LispObj type) {
    for (LispObj a = type_ancestors(tc, type); cons_p(a); a = CDR(a)) {
        LispObj r = lisp_plist_get(SYM(CAR(a))->plist, S(CND_REPORTER_KEY), NIL);
        if (r != NIL) return r;
    }
    return NIL;
}

/* Output of fn called with (object stream), as a string. */
static LispObj call_reporter(ThContext *tc, LispObj fn, LispObj object) {
    if (string_p(fn)) return fn;
    LispObj out = stm_make_string_output(tc);
    vm_funcall2(tc, fn, object, out);
    return stm_get_output_string(tc, out);
}

LispObj cond_report_string(ThContext *tc, LispObj c) {
    if (!condition_p(c)) return pr_princ_to_string(tc, c);
    if (cond_restart_p(c)) return cond_restart_report(tc, c);
    LispCondition *k = CND(c);
    LispObj reporter = find_reporter(tc, k->type);
    if (reporter != NIL) return call_reporter(tc, reporter, c);
    if (string_p(k->message) && k->args != NIL) {
        LispObj out = stm_make_string_output(tc);
        pr_format(tc, out, k->message, k->args);
        return stm_get_output_string(tc, out);
    }
    if (string_p(k->message)) return k->message;
    LispObj control = lisp_plist_get(k->plist, S(FORMAT_CONTROL_KW), NIL);
    if (control != NIL) {
        LispObj out = stm_make_string_output(tc);
        pr_format(tc, out, control, lisp_plist_get(k->plist, S(FORMAT_ARGUMENTS_KW), NIL));
        return stm_get_output_string(tc, out);
    }
    LispObj out = stm_make_string_output(tc);
    LispObj type = k->type;
    if (cond_subtype_p(type, S(TYPE_ERROR))) {
        stm_write_cstr(tc, out, "The value ");
        pr_prin1(tc, lisp_plist_get(k->plist, S(DATUM_KW), NIL), out);
        stm_write_cstr(tc, out, " is not of type ");
        pr_prin1(tc, lisp_plist_get(k->plist, S(EXPECTED_TYPE_KW), NIL), out);
    } else if (cond_subtype_p(type, S(UNBOUND_VARIABLE))) {
        stm_write_cstr(tc, out, "The variable ");
        pr_prin1(tc, lisp_plist_get(k->plist, S(NAME_KW), NIL), out);
        stm_write_cstr(tc, out, " is unbound.");
    } else if (cond_subtype_p(type, S(UNDEFINED_FUNCTION))) {
        stm_write_cstr(tc, out, "The function ");
        pr_prin1(tc, lisp_plist_get(k->plist, S(NAME_KW), NIL), out);
        stm_write_cstr(tc, out, " is undefined.");
    } else {
        stm_write_cstr(tc, out, "Condition of type ");
        pr_prin1(tc, type, out);
        stm_write_cstr(tc, out, " was signalled.");
    }
    return stm_get_output_string(tc, out);
}

/* ---- signalling ---- */

/* Report of a restart (builtins_restarts.c layout): its report function
 * or string, else its name. */
LispObj cond_restart_report(ThContext *tc, LispObj r) {
    LispObj fields = CND(r)->args;
    LispObj report = vector_p(fields) ? VEC(fields)->items[RESTART_REPORT] : NIL;
    if (string_p(report)) return report;
    if (report != NIL) {
        LispObj out = stm_make_string_output(tc);
        vm_funcall1(tc, report, out);
        return stm_get_output_string(tc, out);
    }
    return pr_princ_to_string(tc, vector_p(fields) ? VEC(fields)->items[RESTART_NAME] : NIL);
}

static bool fbound_function_p(LispObj sym) {
    return sym_function(sym) != LISP_UNBOUND && !sym_flag_p(sym, SYMF_MACRO);
}

/* True if *break-on-signals* asks to break on c: TYPEP once the type system
 * is loaded, the kernel's condition typep before that. */
static bool break_on_signals_p(ThContext *tc, LispObj c) {
    LispObj spec = sym_value(tc, S(STAR_BREAK_ON_SIGNALS));
    if (spec == NIL || spec == LISP_UNBOUND) return false;
    if (!fbound_function_p(S(CND_TYPEP))) return cond_typep(c, spec);
    return vm_funcall2(tc, S(CND_TYPEP), c, spec) != NIL;
}

/* Runs the applicable handlers; returns if all declined. */
void cond_signal(ThContext *tc, LispObj c) {
    if (break_on_signals_p(tc, c) && fbound_function_p(S(CND_BREAK_ON_SIGNAL)))
        vm_funcall1(tc, S(CND_BREAK_ON_SIGNAL), c);
    LispObj clusters = sym_value(tc, S(STAR_HANDLER_CLUSTERS));
    for (; cons_p(clusters); clusters = CDR(clusters)) {
        for (LispObj b = CAR(clusters); cons_p(b); b = CDR(b)) {
            LispObj binding = CAR(b);
            if (!cons_p(binding) || !cond_typep(c, CAR(binding))) continue;
            size_t saved = tc->bind_top;
            sym_bind(tc, S(STAR_HANDLER_CLUSTERS), CDR(clusters));
            vm_funcall1(tc, CDR(binding), c);
            sym_unbind_to(tc, saved);
        }
    }
}

/* The REPL enables the interactive debugger (by binding
 * SYS:*INTERACTIVE-DEBUGGER*) around what it evaluates.  Exhaustion is never
 * debugged in place: there is no room left to run the debugger in. */
static bool interactive_debugger_p(ThContext *tc, LispObj c) {
    LispObj on = sym_value(tc, S(CND_STAR_INTERACTIVE_DEBUGGER));
    return on != NIL && on != LISP_UNBOUND && fbound_function_p(S(CND_DEBUGGER_LOOP)) &&
           !cond_typep(c, S(STORAGE_CONDITION)) && !tc->vm->stack_exhausted;
}

/* CLHS invoke-debugger: *debugger-hook* (bound to NIL while it runs), then
 * the interactive debugger, which leaves only by invoking a restart; when
 * there is none (non-interactive runs), report to the top level. */
_Noreturn void cond_invoke_debugger(ThContext *tc, LispObj c) {
    LispObj hook = sym_value(tc, S(STAR_DEBUGGER_HOOK));
    if (hook != NIL && hook != LISP_UNBOUND) {
        size_t saved = tc->bind_top;
        sym_bind(tc, S(STAR_DEBUGGER_HOOK), NIL);
        vm_funcall2(tc, hook, c, hook);
        sym_unbind_to(tc, saved);
    }
    VmState *vs = tc->vm;
    vs->last_backtrace = vm_backtrace_string(tc, 40);
    if (interactive_debugger_p(tc, c)) vm_funcall1(tc, S(CND_DEBUGGER_LOOP), c);
    if (!vm_catch_exists(tc, S(TOPLEVEL_TAG))) {
        LispObj msg = cond_report_string(tc, c);
        char buf[4096];
        str_to_utf8(msg, buf, sizeof buf);
        fprintf(stderr, "petrel: unhandled error with no top level to return to: %s\n", buf);
        abort();
    }
    vm_throw(tc, S(TOPLEVEL_TAG), c);
}

void cond_signal_error(ThContext *tc, LispObj c) {
    cond_signal(tc, c);
    cond_invoke_debugger(tc, c);
}

static _Noreturn void signal_new(ThContext *tc, LispObj type, LispObj message, LispObj plist) {
    /* Kernel types have no initforms: condition_make is cond_make for them. */
    cond_signal_error(tc, condition_make(tc, type, message, NIL, plist));
}

void cond_error(ThContext *tc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    LispObj msg = make_message(tc, fmt, ap);
    va_end(ap);
    signal_new(tc, S(SIMPLE_ERROR), msg, NIL);
}

void cond_error_of_type(ThContext *tc, LispObj type, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    LispObj msg = make_message(tc, fmt, ap);
    va_end(ap);
    signal_new(tc, type, msg, NIL);
}

void cond_type_error(ThContext *tc, LispObj datum, LispObj expected) {
    LispObj plist = lisp_list(tc, 4, S(DATUM_KW), datum, S(EXPECTED_TYPE_KW), expected);
    signal_new(tc, S(TYPE_ERROR), NIL, plist);
}

void cond_program_error(ThContext *tc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    LispObj msg = make_message(tc, fmt, ap);
    va_end(ap);
    signal_new(tc, S(PROGRAM_ERROR), msg, NIL);
}

void cond_reader_error(ThContext *tc, LispObj stream, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    LispObj msg = make_message(tc, fmt, ap);
    va_end(ap);
    char pos[128] = "";
    if (stream_p(stream)) stm_describe_position(stream, pos, sizeof pos);
    LispObj full = pos[0] ? cond_format_message_v(tc, "READ error at %s: %a", pos, msg) : msg;
    signal_new(tc, S(READER_ERROR), full, lisp_list(tc, 2, S(STREAM_KW), stream));
}

void cond_end_of_file(ThContext *tc, LispObj stream) {
    char pos[128] = "";
    if (stream_p(stream)) stm_describe_position(stream, pos, sizeof pos);
    LispObj msg = cond_format_message_v(tc, "end of file on %v%s%s", stream, pos[0] ? " at " : "", pos);
    signal_new(tc, S(END_OF_FILE), msg, lisp_list(tc, 2, S(STREAM_KW), stream));
}

/* Once conditions.lisp is loaded, these errors come with USE-VALUE and
 * STORE-VALUE restarts (made in Lisp); the value a restart supplies is
 * returned, and the caller uses it in place of the missing one. */
static bool restarts_ready(LispObj fn_sym) { return sym_function(fn_sym) != LISP_UNBOUND; }

LispObj cond_unbound_variable(ThContext *tc, LispObj sym) {
    if (restarts_ready(S(CND_UNBOUND_VARIABLE_RESTARTS)))
        return vm_funcall1(tc, sym_function(S(CND_UNBOUND_VARIABLE_RESTARTS)), sym);
    signal_new(tc, S(UNBOUND_VARIABLE), cond_format_message_v(tc, "The variable %v is unbound.", sym),
               lisp_list(tc, 2, S(NAME_KW), sym));
}

/* The replacement is a function (the Lisp side coerces what a restart gets). */
LispObj cond_undefined_function(ThContext *tc, LispObj name) {
    if (restarts_ready(S(CND_UNDEFINED_FUNCTION_RESTARTS))) {
        LispObj f = vm_funcall1(tc, sym_function(S(CND_UNDEFINED_FUNCTION_RESTARTS)), name);
        if (function_p(f)) return f;
        cond_type_error(tc, f, S(FUNCTION));
    }
    signal_new(tc, S(UNDEFINED_FUNCTION), cond_format_message_v(tc, "The function %v is undefined.", name),
               lisp_list(tc, 2, S(NAME_KW), name));
}

void cond_storage_condition(ThContext *tc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    LispObj msg = make_message(tc, fmt, ap);
    va_end(ap);
    signal_new(tc, S(STORAGE_CONDITION), msg, NIL);
}

void cond_division_by_zero(ThContext *tc, LispObj op, LispObj operands) {
    LispObj msg = cond_format_message_v(tc, "arithmetic error DIVISION-BY-ZERO signalled: %v of %v", op, operands);
    signal_new(tc, S(DIVISION_BY_ZERO), msg, lisp_list(tc, 4, S(OPERATION_KW), op, S(OPERANDS_KW), operands));
}

LispObj cond_format_message_v(ThContext *tc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    LispObj msg = cond_format_message(tc, fmt, ap);
    va_end(ap);
    return msg;
}

bool cond_type_known_p(LispObj sym) { return condition_type_p(sym); }
