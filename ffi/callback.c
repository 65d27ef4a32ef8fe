/* ffi/callback.c — Lisp functions callable from C (DEFCALLBACK in
 * ffi.lisp): a libffi closure per callback whose entry (trampoline below)
 * converts the C arguments, runs the Lisp function and converts its value
 * back.  The Lisp functions are in a table in ffi.lisp, by index; C keeps
 * only the index, so no Lisp value lives in C memory.
 *
 * Who calls, and what the trampoline does (the thread's state on entry):
 *   - a Lisp thread inside FOREIGN-FUNCALL (SAFE, ThContext.ffi_call set):
 *     leaves the safe region for the Lisp body and enters it again before
 *     returning to C (so a pause never waits for the C code around it);
 *   - a thread C created, unknown to Lisp (no context): attaches (a
 *     context, a VM, a Lisp thread object), runs, and detaches;
 *   - a Lisp thread running Lisp (no foreign call in progress): cannot
 *     happen through C; handled as the first case without the safe region.
 * Non-local exits: the body runs behind a wall (vm_call_walled).  An exit
 * whose target is outside the callback (a throw, a return-from, a
 * handler-case or restart outside, the top level's abort) unwinds the
 * Lisp frames of the callback, stops at the wall, and the callback returns
 * 0 (NULL, 0.0) to C; the other callbacks of that same foreign call return
 * 0 at once without running Lisp; when the foreign function returns,
 * FOREIGN-FUNCALL resumes the exit.  C frames are never unwound.  On a
 * thread C created there is nothing outside: an error not handled in the
 * callback is reported on stderr and the callback returns 0.
 * Callbacks live as long as the process (closures are never freed) and do
 * not survive a saved core. */
#include "ffi/ffi_impl.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { MAX_ARGS = 32 };

typedef struct FfiCallback {
    int64_t id;                 /* index of the function in ffi.lisp's table */
    size_t n;
    FfiTypeId ret, args[MAX_ARGS];
    ffi_type *ftypes[MAX_ARGS];
    ffi_cif cif;
    ffi_closure *closure;
    void *code;                 /* the address C calls */
    struct FfiCallback *next;   /* in all_callbacks; set before the push, then read only */
} FfiCallback;

/* Every callback made, newest first: they are never freed, and this keeps
 * them reachable for leak checkers (the closures that point to them are
 * libffi's mmap'd memory).  Atomic push (release) only; nobody walks it. */
static _Atomic(FfiCallback *) all_callbacks;

static void remember(FfiCallback *cb) {
    FfiCallback *head = atomic_load_explicit(&all_callbacks, memory_order_relaxed);
    do cb->next = head;
    while (!atomic_compare_exchange_weak_explicit(&all_callbacks, &head, cb, memory_order_release,
                                                  memory_order_relaxed));
}

typedef struct CbRun {
    FfiCallback *cb;
    void *ret;
    void **cargs;
} CbRun;

static void zero_return(FfiCallback *cb, void *ret) {
    if (cb->ret != FT_VOID) memset(ret, 0, sizeof(ffi_arg) > 8 ? sizeof(ffi_arg) : 8);
}

/* RUNNING: the call itself, inside the wall. */
static LispObj run_body(ThContext *tc, void *data) {
    CbRun *r = data;
    FfiCallback *cb = r->cb;
    LispObj argv[MAX_ARGS + 1];  /* on this C stack: scanned */
    argv[0] = fx_make(cb->id);
    for (size_t i = 0; i < cb->n; i++) {
        FfiValue v;
        ffi_load(cb->args[i], r->cargs[i], &v);
        argv[i + 1] = ffi_to_lisp(tc, cb->args[i], &v, false);
    }
    LispObj result = vm_funcall(tc, S(FFI_RUN_CALLBACK), cb->n + 1, argv);
    if (cb->ret == FT_VOID) return NIL;
    FfiValue out = {0};
    LispObj s = NIL;
    ffi_from_lisp(tc, cb->ret, result, &out, &s);
    if (s != NIL && !(out.p = ffi_string_copy(s)))  /* C owns the copy */
        cond_storage_condition(tc, "callback: malloc failed copying the returned string");
    ffi_store_return(cb->ret, r->ret, &out);
    return NIL;
}

static void report(ThContext *tc, LispObj condition) {
    char msg[2048] = "(not a condition)";
    if (condition_p(condition)) str_to_utf8(cond_report_string(tc, condition), msg, sizeof msg);
    fprintf(stderr, "petrel: a callback on a thread C created ended by an unhandled error (it returns 0): %s\n", msg);
    fflush(stderr);
}

/* A thread Lisp does not know: attach for the call, then detach. */
static void on_foreign_thread(CbRun *r) {
    int marker;
    ThContext *tc = lisp_attach_foreign_thread(&marker);
    LispObj condition;
    zero_return(r->cb, r->ret);
    if (!vm_call_protected(tc, run_body, r, NULL, &condition)) {
        zero_return(r->cb, r->ret);
        report(tc, condition);
    }
    lisp_detach_foreign_thread(tc);
}

static void trampoline(ffi_cif *cif, void *ret, void **cargs, void *data) {
    CbRun r = {data, ret, cargs};
    ThContext *tc = th_current();
    if (!tc) {
        on_foreign_thread(&r);
        return;
    }
    FfiCall *call = tc->ffi_call;  /* owner-only C state: readable while SAFE */
    LispExit local;
    LispExit *exit = call ? &call->exit : &local;
    if (call && call->exit.pending) {  /* an exit is on its way out: no more Lisp here */
        zero_return(r.cb, ret);
        return;
    }
    if (call) {
        tc->ffi_call = NULL;
        th_leave_safe(tc);
    }
    /* now: RUNNING */
    zero_return(r.cb, ret);
    vm_call_walled(tc, run_body, &r, exit);
    if (exit->pending) zero_return(r.cb, ret);
    if (call) {
        th_enter_safe(tc);
        tc->ffi_call = call;
    } else if (exit->pending) {
        fprintf(stderr, "petrel: a non-local exit out of a callback called outside a foreign call was dropped\n");
    }
}

/* (%make-callback id return-type arg-types) → the pointer C calls */
static LispObj fli_make_callback(ThContext *tc, size_t nargs, LispObj *args) {
    const char *op = "DEFCALLBACK";
    if (!fx_p(args[0]) || fx_value(args[0]) < 0) cond_type_error(tc, args[0], S(UNSIGNED_BYTE));
    FfiCallback tmp = {.id = fx_value(args[0])};
    tmp.ret = ffi_type_of(tc, op, args[1]);
    size_t n = lisp_list_length(tc, args[2]);
    if (n > MAX_ARGS) cond_program_error(tc, "%s: more than %d arguments", op, (int)MAX_ARGS);
    tmp.n = n;
    LispObj l = args[2];
    for (size_t i = 0; i < n; i++, l = CDR(l)) {
        tmp.args[i] = ffi_type_of(tc, op, CAR(l));
        if (tmp.args[i] == FT_VOID) ffi_error(tc, "%s: :VOID is a return type only", op);
        tmp.ftypes[i] = ffi_libffi_type(tmp.args[i]);
    }
    FfiCallback *cb = malloc(sizeof *cb);
    if (!cb) cond_storage_condition(tc, "%s: out of memory", op);
    *cb = tmp;
    cb->closure = ffi_closure_alloc(sizeof(ffi_closure), &cb->code);
    if (!cb->closure) {
        free(cb);
        cond_storage_condition(tc, "%s: ffi_closure_alloc failed", op);
    }
    ffi_status st = ffi_prep_cif(&cb->cif, FFI_DEFAULT_ABI, (unsigned)n, ffi_libffi_type(cb->ret), cb->ftypes);
    if (st == FFI_OK) st = ffi_prep_closure_loc(cb->closure, &cb->cif, trampoline, cb, cb->code);
    if (st != FFI_OK) {
        ffi_closure_free(cb->closure);
        free(cb);
        ffi_error(tc, "%s: libffi could not prepare the callback (status %d)", op, (int)st);
    }
    remember(cb);
    return ffi_pointer_make(tc, cb->code);
}

const BuiltinSpec ffi_builtins_callback[] = {
    {"%MAKE-CALLBACK", "SYS", fli_make_callback, 3, 3, "id return-type arg-types",
     "A C function pointer that calls callback ID of the table in ffi.lisp."},
    {0},
};
