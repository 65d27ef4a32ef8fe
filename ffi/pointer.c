/* ffi/pointer.c — foreign pointers: a Lisp object of its own kind
 * (KIND_FOREIGN_POINTER, lisp/lisp.h) whose one raw word is an address,
 * printed #<FOREIGN-POINTER #x...>.  Immutable once made: INC-POINTER
 * makes a new one, so any thread may read one without a lock.  The
 * collector does not trace the word (no boxed words). */
#include "ffi/ffi_impl.h"

LispObj ffi_pointer_make(ThContext *tc, void *address) {
    LispObj p = obj_alloc(tc, KIND_FOREIGN_POINTER, 1);
    obj_words(p)[1] = (GcWord)(uintptr_t)address;  /* a raw word, fresh object: no barrier */
    return p;
}

void *ffi_arg_pointer(ThContext *tc, LispObj x) {
    if (!ffi_pointer_p(x)) cond_type_error(tc, x, S(FFI_FOREIGN_POINTER));
    return ffi_pointer_address(x);
}

static LispObj fli_pointerp(ThContext *tc, size_t nargs, LispObj *args) {
    return ffi_pointer_p(args[0]) ? T : NIL;
}

static LispObj fli_null_pointer(ThContext *tc, size_t nargs, LispObj *args) { return ffi_pointer_make(tc, NULL); }

static LispObj fli_null_pointer_p(ThContext *tc, size_t nargs, LispObj *args) {
    return ffi_arg_pointer(tc, args[0]) == NULL ? T : NIL;
}

static LispObj fli_make_pointer(ThContext *tc, size_t nargs, LispObj *args) {
    uint64_t a;
    if (!num_to_uint64(args[0], &a))
        cond_type_error(tc, args[0], lisp_list(tc, 2, S(UNSIGNED_BYTE), fx_make(64)));
    return ffi_pointer_make(tc, (void *)(uintptr_t)a);
}

static LispObj fli_pointer_address(ThContext *tc, size_t nargs, LispObj *args) {
    return num_from_uint64(tc, (uint64_t)(uintptr_t)ffi_arg_pointer(tc, args[0]));
}

static LispObj fli_inc_pointer(ThContext *tc, size_t nargs, LispObj *args) {
    char *p = ffi_arg_pointer(tc, args[0]);
    int64_t off;
    if (!num_to_int64(args[1], &off))
        cond_type_error(tc, args[1], lisp_list(tc, 2, S(TY_SIGNED_BYTE), fx_make(64)));
    return ffi_pointer_make(tc, (void *)((uintptr_t)p + (uintptr_t)off));
}

static LispObj fli_pointer_eq(ThContext *tc, size_t nargs, LispObj *args) {
    return ffi_arg_pointer(tc, args[0]) == ffi_arg_pointer(tc, args[1]) ? T : NIL;
}

const BuiltinSpec ffi_builtins_pointer[] = {
    {"POINTERP", "FFI", fli_pointerp, 1, 1, "object", "True if OBJECT is a foreign pointer."},
    {"NULL-POINTER", "FFI", fli_null_pointer, 0, 0, "", "A foreign pointer to address 0."},
    {"NULL-POINTER-P", "FFI", fli_null_pointer_p, 1, 1, "pointer", "True if POINTER holds address 0."},
    {"MAKE-POINTER", "FFI", fli_make_pointer, 1, 1, "address", "A foreign pointer holding ADDRESS."},
    {"POINTER-ADDRESS", "FFI", fli_pointer_address, 1, 1, "pointer", "The address POINTER holds, an integer."},
    {"INC-POINTER", "FFI", fli_inc_pointer, 2, 2, "pointer offset",
     "A new foreign pointer OFFSET bytes past POINTER."},
    {"POINTER-EQ", "FFI", fli_pointer_eq, 2, 2, "pointer1 pointer2", "True if both hold the same address."},
    {0},
};
