/* lisp/repl.c — the top level: protected calls for C callers, the
 * read-eval-print loop, and reporting unhandled errors when there is no
 * interactive debugger (--script, --non-interactive, reader errors).
 *
 * The REPL enables the interactive debugger (conditions.lisp,
 * %debugger-loop) around each evaluation, whether stdin is a terminal or a
 * pipe: an unhandled error then lists the restarts and reads debugger
 * input from the same stream.  Its ABORT restarts throw :ABORT to the
 * SYS:%TOPLEVEL catch, which returns here silently.  Main thread only. */
#include "lisp/cond_impl.h"

#include <unistd.h>

bool vm_call_protected(ThContext *tc, LispObj (*fn)(ThContext *, void *), void *data, LispObj *result,
                       LispObj *condition) {
    bool thrown;
    LispObj r = vm_catch_call(tc, S(TOPLEVEL_TAG), fn, data, &thrown);
    if (thrown) {
        if (condition) *condition = r;
        if (result) *result = NIL;
        return false;
    }
    if (result) *result = r;
    if (condition) *condition = NIL;
    return true;
}

/* Prints "debugger invoked on a TYPE: message" and the backtrace to err. */
void lisp_report_error(ThContext *tc, LispObj condition, bool backtrace) {
    LispObj err = stm_output_designator(tc, sym_value(tc, S(STAR_ERROR_OUTPUT)));
    stm_finish_output(tc, stm_output_designator(tc, NIL));
    if (condition == S(ABORT_KW)) return;  /* an ABORT restart: already reported */
    if (!condition_p(condition)) {
        stm_write_cstr(tc, err, "Returned to top level (control stack exhausted past its reserve).\n");
    } else {
        stm_write_cstr(tc, err, "debugger invoked on a ");
        pr_prin1(tc, CND(condition)->type, err);
        stm_write_cstr(tc, err, ": ");
        LispObj msg = cond_report_string(tc, condition);
        stm_write_string(tc, err, msg, 0, str_length(msg));
        stm_write_char(tc, err, '\n');
    }
    LispObj bt = tc->vm->last_backtrace;
    if (backtrace && string_p(bt) && str_length(bt) > 0) {
        stm_write_cstr(tc, err, "Backtrace:\n");
        stm_write_string(tc, err, bt, 0, str_length(bt));
    }
    stm_finish_output(tc, err);
}

static void rotate(ThContext *tc, int a, int b, int c, LispObj v) {
    sym_set_value(tc, lisp_syms[c], sym_value(tc, lisp_syms[b]));
    sym_set_value(tc, lisp_syms[b], sym_value(tc, lisp_syms[a]));
    sym_set_value(tc, lisp_syms[a], v);
}

typedef struct ReplStep { LispObj eof; bool done; } ReplStep;

static LispObj repl_step(ThContext *tc, void *data) {
    ReplStep *st = data;
    LispObj in = stm_input_designator(tc, NIL);
    LispObj out = stm_output_designator(tc, NIL);
    LispObj form = rd_read(tc, in, false, st->eof, false);
    if (form == st->eof) {
        st->done = true;
        return NIL;
    }
    sym_set_value(tc, S(MINUS_VAR), form);
    size_t saved_bind = tc->bind_top;
    sym_bind(tc, S(CND_STAR_INTERACTIVE_DEBUGGER), T);
    LispObj primary = vm_eval(tc, form);
    sym_unbind_to(tc, saved_bind);
    size_t n = vm_nvalues(tc);
    LispObj values = n == 1 ? lisp_cons(tc, primary, NIL) : NIL;
    for (size_t i = n; n != 1 && i-- > 0;) values = lisp_cons(tc, vm_value(tc, i), values);
    rotate(tc, SYM_PLUS_VAR, SYM_PLUSPLUS, SYM_PLUSPLUSPLUS, form);
    rotate(tc, SYM_SLASH_VAR, SYM_SLASHSLASH, SYM_SLASHSLASHSLASH, values);
    rotate(tc, SYM_STAR, SYM_STARSTAR, SYM_STARSTARSTAR, cons_p(values) ? CAR(values) : NIL);
    for (LispObj l = values; cons_p(l); l = CDR(l)) {
        pr_prin1(tc, CAR(l), out);
        stm_write_char(tc, out, '\n');
    }
    stm_finish_output(tc, out);
    return T;
}

/* Discards the rest of the current input line after an error. */
static void skip_line(ThContext *tc) {
    LispObj in = stm_input_designator(tc, NIL);
    if (!stream_p(in)) return;
    for (;;) {
        int32_t c = stm_read_char(tc, in);
        if (c < 0 || c == '\n') return;
    }
}

static LispObj skip_line_protected(ThContext *tc, void *data) {
    (void)data;
    skip_line(tc);
    return NIL;
}

void lisp_repl(ThContext *tc) {
    bool tty = isatty(0);
    ReplStep st = {lisp_cons(tc, NIL, NIL), false};
    while (!st.done) {
        if (tty) {
            LispObj out = stm_output_designator(tc, NIL);
            stm_write_cstr(tc, out, "* ");
            stm_finish_output(tc, out);
        }
        LispObj result, condition;
        if (!vm_call_protected(tc, repl_step, &st, &result, &condition)) {
            /* Back from the debugger by end of input on a terminal: the
             * next read waits for more instead of seeing the same EOF. */
            if (condition == S(ABORT_KW) && tty) clearerr(stdin);
            lisp_report_error(tc, condition, tty);
            if (condition_p(condition) && cond_typep(condition, S(READER_ERROR)))
                vm_call_protected(tc, skip_line_protected, NULL, NULL, NULL);
        }
    }
    if (tty) stm_write_char(tc, stm_output_designator(tc, NIL), '\n');
}
