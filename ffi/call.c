/* ffi/call.c — calling foreign functions through libffi: FOREIGN-FUNCALL
 * and FOREIGN-FUNCALL-POINTER (DEFCFUN in ffi.lisp expands to them).
 *
 * A call is a script in three steps:
 *   1. while RUNNING: parse the types, check and convert every argument
 *      (errors are signalled here, before anything is allocated in C),
 *      prepare the cif, then copy the strings to malloc'd UTF-8;
 *   2. SAFE: ffi_call, touching no Lisp value (the arguments are C values
 *      by now), so a collection never waits for foreign code; a callback
 *      that runs meanwhile leaves the safe region itself (callback.c);
 *   3. RUNNING again: resume a non-local exit a callback stopped
 *      (FfiCall.exit), or convert the result; free the copies.
 * State: the FfiCall record on this C stack, linked from ThContext.ffi_call
 * (owner thread only). */
#include "ffi/ffi_impl.h"

#include <stdlib.h>

enum { MAX_ARGS = 64 };

typedef struct Prepared {
    size_t n;                     /* arguments */
    FfiTypeId ret;
    ffi_cif cif;
    ffi_type *ftypes[MAX_ARGS];
    FfiValue vals[MAX_ARGS];
    void *ptrs[MAX_ARGS];         /* &vals[i], as libffi wants them */
    LispObj strings[MAX_ARGS];    /* simple strings to copy, or NIL (on this stack: scanned) */
    char *owned[MAX_ARGS];        /* malloc'd copies, freed after the call */
} Prepared;

static void free_owned(Prepared *pc) {
    for (size_t i = 0; i < pc->n; i++) free(pc->owned[i]);
}

/* Step 1.  items = type arg type arg ... rettype. */
static void prepare(ThContext *tc, const char *op, size_t nitems, LispObj *items, Prepared *pc) {
    if (nitems % 2 == 0)
        cond_program_error(tc, "%s: expected alternating types and arguments and then a return type, got %zu items",
                           op, nitems);
    pc->n = nitems / 2;
    if (pc->n > MAX_ARGS) cond_program_error(tc, "%s: more than %d arguments", op, (int)MAX_ARGS);
    for (size_t i = 0; i < pc->n; i++) {
        FfiTypeId t = ffi_type_of(tc, op, items[2 * i]);
        if (t == FT_VOID) ffi_error(tc, "%s: :VOID is a return type only (argument %zu)", op, i + 1);
        pc->strings[i] = NIL;
        pc->owned[i] = NULL;
        ffi_from_lisp(tc, t, items[2 * i + 1], &pc->vals[i], &pc->strings[i]);
        pc->ftypes[i] = ffi_libffi_type(t);
        pc->ptrs[i] = &pc->vals[i];
    }
    pc->ret = ffi_type_of(tc, op, items[nitems - 1]);
    ffi_status st = ffi_prep_cif(&pc->cif, FFI_DEFAULT_ABI, (unsigned)pc->n, ffi_libffi_type(pc->ret), pc->ftypes);
    if (st != FFI_OK) ffi_error(tc, "%s: ffi_prep_cif failed (status %d)", op, (int)st);
    for (size_t i = 0; i < pc->n; i++) {
        if (pc->strings[i] == NIL) continue;
        if (!(pc->owned[i] = ffi_string_copy(pc->strings[i]))) {
            free_owned(pc);
            cond_storage_condition(tc, "%s: malloc failed copying a string argument", op);
        }
        pc->vals[i].p = pc->owned[i];
    }
}

static LispObj call(ThContext *tc, const char *op, void *fn, size_t nitems, LispObj *items) {
    Prepared pc;
    prepare(tc, op, nitems, items, &pc);
    FfiValue ret = {0};
    FfiCall rec = {.outer = tc->ffi_call, .exit = {false, 0, -1, NIL}};
    tc->ffi_call = &rec;
    th_enter_safe(tc);
    /* now: SAFE; only C values below */
    ffi_call(&pc.cif, FFI_FN(fn), &ret, pc.ptrs);
    th_leave_safe(tc);
    tc->ffi_call = rec.outer;
    if (rec.exit.pending) {
        free_owned(&pc);
        vm_resume_exit(tc, &rec.exit);
    }
    /* converted before the copies are freed: a :string result may point
     * into an argument's copy (only a storage-condition here leaks them) */
    LispObj result = ffi_to_lisp(tc, pc.ret, &ret, true);
    free_owned(&pc);
    return result;
}

static LispObj fli_foreign_funcall(ThContext *tc, size_t nargs, LispObj *args) {
    void *fn;
    if (ffi_pointer_p(args[0])) {
        fn = ffi_pointer_address(args[0]);
    } else {
        char name[1024];
        LispObj s = ffi_arg_string(tc, args[0]);
        if (str_to_utf8(s, name, sizeof name) >= sizeof name) ffi_error(tc, "FOREIGN-FUNCALL: name too long");
        fn = ffi_find_symbol(tc, name);
        if (!fn) ffi_error(tc, "FOREIGN-FUNCALL: no foreign function named \"%s\" in the program or the loaded libraries",
                           name);
    }
    if (!fn) ffi_error(tc, "FOREIGN-FUNCALL: cannot call the null pointer");
    return call(tc, "FOREIGN-FUNCALL", fn, nargs - 1, args + 1);
}

static LispObj fli_foreign_funcall_pointer(ThContext *tc, size_t nargs, LispObj *args) {
    void *fn = ffi_arg_pointer(tc, args[0]);
    if (!fn) ffi_error(tc, "FOREIGN-FUNCALL-POINTER: cannot call the null pointer");
    return call(tc, "FOREIGN-FUNCALL-POINTER", fn, nargs - 1, args + 1);
}

const BuiltinSpec ffi_builtins_call[] = {
    {"FOREIGN-FUNCALL", "FFI", fli_foreign_funcall, 2, BUILTIN_REST, "name-or-pointer &rest types-and-args",
     "Calls the foreign function NAME (a string, looked up in the program and the loaded libraries) or at a "
     "pointer: TYPES-AND-ARGS alternate a type keyword and an argument, then end with the return type."},
    {"FOREIGN-FUNCALL-POINTER", "FFI", fli_foreign_funcall_pointer, 2, BUILTIN_REST, "pointer &rest types-and-args",
     "FOREIGN-FUNCALL of the function at POINTER."},
    {0},
};
