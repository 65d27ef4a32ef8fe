/* ffi/memory.c — foreign memory: malloc'd blocks (FOREIGN-ALLOC's core,
 * FOREIGN-FREE), typed reads and writes at an address (%MEM-REF,
 * %MEM-SET, behind MEM-REF/MEM-AREF and their setf in ffi.lisp) and
 * foreign strings (UTF-8, NUL-terminated).  Addresses below one page are
 * refused (FOREIGN-ERROR) instead of faulting: a null pointer, or a small
 * offset from one.  Any other bad address is C's undefined behaviour, as
 * in every FFI.  No state of its own: any thread. */
#include "ffi/ffi_impl.h"

#include <stdlib.h>

enum { LOW_PAGE = 4096 };

static char *checked_address(ThContext *tc, const char *op, LispObj ptr, LispObj offset, size_t size) {
    char *p = ffi_arg_pointer(tc, ptr);
    int64_t off = 0;
    if (offset != LISP_UNSUPPLIED && !num_to_int64(offset, &off))
        cond_type_error(tc, offset, lisp_list(tc, 2, S(TY_SIGNED_BYTE), fx_make(64)));
    uintptr_t a = (uintptr_t)p + (uintptr_t)off;
    if (a < LOW_PAGE || a + size < a) {
        char hex[32];
        snprintf(hex, sizeof hex, "#x%llX", (unsigned long long)a);
        ffi_error(tc, "%s: cannot access %zu bytes at address %s (%v plus offset %ld): a null or invalid pointer",
                  op, size, hex, ptr, off);
    }
    return (char *)a;
}

static LispObj fli_foreign_alloc(ThContext *tc, size_t nargs, LispObj *args) {
    if (!fx_p(args[0]) || fx_value(args[0]) < 0)
        cond_type_error(tc, args[0], lisp_list(tc, 2, S(UNSIGNED_BYTE), fx_make(62)));
    size_t n = (size_t)fx_value(args[0]);
    void *p = calloc(1, n ? n : 1);
    if (!p) cond_storage_condition(tc, "FOREIGN-ALLOC: malloc of %zu bytes failed", n);
    return ffi_pointer_make(tc, p);
}

static LispObj fli_foreign_free(ThContext *tc, size_t nargs, LispObj *args) {
    free(ffi_arg_pointer(tc, args[0]));
    return NIL;
}

static LispObj fli_mem_ref(ThContext *tc, size_t nargs, LispObj *args) {
    FfiTypeId t = ffi_type_of(tc, "MEM-REF", args[1]);
    if (t == FT_VOID) ffi_error(tc, "MEM-REF: :VOID has no values");
    char *p = checked_address(tc, "MEM-REF", args[0], nargs > 2 ? args[2] : LISP_UNSUPPLIED, ffi_types[t].size);
    FfiValue v;
    ffi_load(t, p, &v);
    return ffi_to_lisp(tc, t, &v, false);
}

/* (%mem-set value pointer type &optional offset) → value */
static LispObj fli_mem_set(ThContext *tc, size_t nargs, LispObj *args) {
    FfiTypeId t = ffi_type_of(tc, "(SETF MEM-REF)", args[2]);
    if (t == FT_VOID) ffi_error(tc, "(SETF MEM-REF): :VOID has no values");
    char *p = checked_address(tc, "(SETF MEM-REF)", args[1], nargs > 3 ? args[3] : LISP_UNSUPPLIED,
                              ffi_types[t].size);
    FfiValue v;
    LispObj s = NIL;
    ffi_from_lisp(tc, t, args[0], &v, &s);
    if (s != NIL && !(v.p = ffi_string_copy(s)))  /* a foreign copy the program owns (as in CFFI) */
        cond_storage_condition(tc, "(SETF MEM-REF): malloc failed");
    ffi_store(t, p, &v);
    return args[0];
}

static LispObj fli_foreign_string_alloc(ThContext *tc, size_t nargs, LispObj *args) {
    char *p = ffi_string_copy(ffi_arg_string(tc, args[0]));
    if (!p) cond_storage_condition(tc, "FOREIGN-STRING-ALLOC: malloc failed");
    return ffi_pointer_make(tc, p);
}

/* (foreign-string-to-lisp pointer &optional offset count): COUNT bytes, or
 * up to the first NUL; NIL for a null pointer. */
static LispObj fli_foreign_string_to_lisp(ThContext *tc, size_t nargs, LispObj *args) {
    if (ffi_arg_pointer(tc, args[0]) == NULL) return NIL;
    const char *p = checked_address(tc, "FOREIGN-STRING-TO-LISP", args[0], nargs > 1 ? args[1] : LISP_UNSUPPLIED, 1);
    if (nargs > 2 && args[2] != NIL) {
        if (!fx_p(args[2]) || fx_value(args[2]) < 0) cond_type_error(tc, args[2], S(UNSIGNED_BYTE));
        size_t n = (size_t)fx_value(args[2]);
        const char *nul = memchr(p, 0, n);
        return str_from_utf8(tc, p, nul ? (size_t)(nul - p) : n);
    }
    return str_from_cstr(tc, p);
}

/* (lisp-string-to-foreign string buffer bufsize &optional offset): at most
 * bufsize-1 bytes of UTF-8 (whole characters) and a NUL; returns buffer. */
static LispObj fli_lisp_string_to_foreign(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = ffi_arg_string(tc, args[0]);
    if (!fx_p(args[2]) || fx_value(args[2]) < 1) cond_type_error(tc, args[2], S(UNSIGNED_BYTE));
    size_t cap = (size_t)fx_value(args[2]);
    char *p = checked_address(tc, "LISP-STRING-TO-FOREIGN", args[1], nargs > 3 ? args[3] : LISP_UNSUPPLIED, cap);
    char *tmp = ffi_string_copy(s);
    if (!tmp) cond_storage_condition(tc, "LISP-STRING-TO-FOREIGN: malloc failed");
    size_t n = strlen(tmp);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)tmp[n] & 0xC0) == 0x80) n--;  /* no half characters */
    }
    memcpy(p, tmp, n);
    p[n] = 0;
    free(tmp);
    return args[1];
}

const BuiltinSpec ffi_builtins_memory[] = {
    {"%FOREIGN-ALLOC", "SYS", fli_foreign_alloc, 1, 1, "bytes", "A zeroed malloc'd block of BYTES bytes."},
    {"FOREIGN-FREE", "FFI", fli_foreign_free, 1, 1, "pointer", "Frees foreign memory from FOREIGN-ALLOC."},
    {"%MEM-REF", "SYS", fli_mem_ref, 2, 3, "pointer type &optional offset", "Reads a built-in type."},
    {"%MEM-SET", "SYS", fli_mem_set, 3, 4, "value pointer type &optional offset", "Writes a built-in type."},
    {"FOREIGN-STRING-ALLOC", "FFI", fli_foreign_string_alloc, 1, 1, "string",
     "A malloc'd NUL-terminated UTF-8 copy of STRING; free it with FOREIGN-STRING-FREE or FOREIGN-FREE."},
    {"FOREIGN-STRING-FREE", "FFI", fli_foreign_free, 1, 1, "pointer", "Frees a foreign string."},
    {"%FOREIGN-STRING-TO-LISP", "SYS", fli_foreign_string_to_lisp, 1, 3, "pointer &optional offset count",
     "The Lisp string of the UTF-8 bytes at POINTER."},
    {"%LISP-STRING-TO-FOREIGN", "SYS", fli_lisp_string_to_foreign, 3, 4, "string buffer bufsize &optional offset",
     "Copies STRING into BUFFER as UTF-8."},
    {0},
};
