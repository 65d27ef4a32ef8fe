/* lisp/cond.c — the kernel's condition system: condition objects, the
 * standard type hierarchy, signalling through handler clusters, and the
 * signallers every C builtin uses for bad input.
 *
 * Handlers: the special variable SYS:*HANDLER-CLUSTERS* holds a list of
 * clusters, each a list of (type . function); handler-bind (boot.lisp) binds
 * it.  A handler runs with the clusters outside its own cluster, and declines
 * by returning.  When nobody transfers control, an error enters the debugger:
 * the kernel's debugger records a backtrace and throws the condition to the
 * innermost SYS:%TOPLEVEL catch, which the REPL, --script and
 * vm_call_protected establish.  The core-language issue adds restarts and
 * an interactive debugger on top of this.
 *
 * Shared state: the hierarchy lives on symbol plists, written at startup. */
#include "lisp/vm_impl.h"

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
};

static LispObj parents_key(void) { return S(CONDITION); }

/* Records parents on the plist: (condition (parents...)) — see cond_define_type. */
void cond_define_type(ThContext *tc, LispObj type, LispObj parents) {
    LispObj plist = SYM(type)->plist;
    for (LispObj l = plist; cons_p(l) && cons_p(CDR(l)); l = CDR(CDR(l)))
        if (CAR(l) == parents_key()) {
            cons_set_car(CDR(l), parents);
            return;
        }
    obj_set(&SYM(type)->plist, lisp_cons(tc, parents_key(), lisp_cons(tc, parents, plist)));
}

void cond_init_hierarchy(ThContext *tc) {
    cond_define_type(tc, S(CONDITION), NIL);
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
        else if (*p == 'v') pr_prin1(tc, va_arg(ap, LispObj), out);
        else if (*p == 'a') pr_princ(tc, va_arg(ap, LispObj), out);
        else if (*p == '%') stm_write_char(tc, out, '%');
        else if (*p == 0) break;
        else pt_fatal("cond_format_message: bad directive %%%c in \"%s\"", *p, fmt);
    }
    return stm_get_output_string(tc, out);
}

static LispObj make_message(ThContext *tc, const char *fmt, va_list ap) {
    return cond_format_message(tc, fmt, ap);
}

LispObj cond_report_string(ThContext *tc, LispObj c) {
    if (!condition_p(c)) return pr_princ_to_string(tc, c);
    LispCondition *k = CND(c);
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

/* Runs the applicable handlers; returns if all declined. */
void cond_signal(ThContext *tc, LispObj c) {
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

/* The kernel debugger: record where we are and return to the top level. */
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

void cond_unbound_variable(ThContext *tc, LispObj sym) {
    signal_new(tc, S(UNBOUND_VARIABLE), cond_format_message_v(tc, "The variable %v is unbound.", sym),
               lisp_list(tc, 2, S(NAME_KW), sym));
}

void cond_undefined_function(ThContext *tc, LispObj name) {
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
