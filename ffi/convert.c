/* ffi/convert.c — Lisp values to C values and back, for calls, callbacks
 * and foreign memory.  Every check happens here, while the thread runs
 * Lisp: a value of the wrong type or out of the C type's range signals
 * type-error (datum, expected type) before any foreign code runs.
 * Integers are exact (no truncation, no wrap-around); a real passed as
 * :float/:double is rounded to the nearest; strings are UTF-8. */
#include "ffi/ffi_impl.h"

#include <stdlib.h>

/* (SIGNED-BYTE n) / (UNSIGNED-BYTE n) for a type of size bytes. */
static LispObj int_type_spec(ThContext *tc, FfiTypeId t) {
    const FfiType *ty = &ffi_types[t];
    LispObj head = ty->cls == FC_SIGNED ? S(TY_SIGNED_BYTE) : S(UNSIGNED_BYTE);
    return lisp_list(tc, 2, head, fx_make((int64_t)ty->size * 8));
}

static void from_signed(ThContext *tc, FfiTypeId t, LispObj x, FfiValue *v) {
    int64_t n;
    size_t bits = ffi_types[t].size * 8;
    if (!num_to_int64(x, &n) ||
        (bits < 64 && (n < -(INT64_C(1) << (bits - 1)) || n >= (INT64_C(1) << (bits - 1)))))
        cond_type_error(tc, x, int_type_spec(tc, t));
    switch (ffi_types[t].size) {
    case 1: v->i8 = (int8_t)n; break;
    case 2: v->i16 = (int16_t)n; break;
    case 4: v->i32 = (int32_t)n; break;
    default: v->i64 = n; break;
    }
}

static void from_unsigned(ThContext *tc, FfiTypeId t, LispObj x, FfiValue *v) {
    uint64_t n;
    size_t bits = ffi_types[t].size * 8;
    if (!num_to_uint64(x, &n) || (bits < 64 && n >> bits != 0)) cond_type_error(tc, x, int_type_spec(tc, t));
    switch (ffi_types[t].size) {
    case 1: v->u8 = (uint8_t)n; break;
    case 2: v->u16 = (uint16_t)n; break;
    case 4: v->u32 = (uint32_t)n; break;
    default: v->u64 = n; break;
    }
}

LispObj ffi_arg_string(ThContext *tc, LispObj x) {
    if (string_p(x)) return x;
    return arg_string(tc, x);  /* a non-simple string: a simple copy; else type-error STRING */
}

void ffi_from_lisp(ThContext *tc, FfiTypeId t, LispObj x, FfiValue *v, LispObj *lisp_string) {
    double d;
    switch (ffi_types[t].cls) {
    case FC_SIGNED: from_signed(tc, t, x, v); return;
    case FC_UNSIGNED: from_unsigned(tc, t, x, v); return;
    case FC_FLOAT:
    case FC_DOUBLE:
        if (!num_real_to_double(tc, x, &d)) cond_type_error(tc, x, S(REAL));
        if (ffi_types[t].cls == FC_FLOAT) v->f = (float)d;
        else v->d = d;
        return;
    case FC_POINTER: v->p = ffi_arg_pointer(tc, x); return;
    case FC_BOOLEAN: v->i32 = x != NIL; return;
    case FC_STRING:
        /* NIL is NULL; a foreign pointer passes as is (a char * already in C) */
        v->p = NULL;
        if (x == NIL) return;
        if (ffi_pointer_p(x)) { v->p = ffi_pointer_address(x); return; }
        *lisp_string = ffi_arg_string(tc, x);
        return;
    case FC_VOID: break;
    }
    ffi_error(tc, "%s: :VOID has no values (a return type only)", "FOREIGN-FUNCALL");
}

char *ffi_string_copy(LispObj s) {
    size_t n = str_to_utf8(s, NULL, 0);
    char *p = malloc(n + 1);
    if (p) str_to_utf8(s, p, n + 1);
    return p;
}

static LispObj from_widened(ThContext *tc, FfiTypeId t, const FfiValue *v) {
    if (ffi_types[t].cls == FC_SIGNED) return num_from_int64(tc, (int64_t)v->swidened);
    return num_from_uint64(tc, (uint64_t)v->widened);
}

LispObj ffi_to_lisp(ThContext *tc, FfiTypeId t, const FfiValue *v, bool widened) {
    const FfiType *ty = &ffi_types[t];
    switch (ty->cls) {
    case FC_SIGNED:
    case FC_UNSIGNED:
        if (widened && ty->size < sizeof(ffi_arg)) return from_widened(tc, t, v);
        switch (ty->size) {
        case 1: return ty->cls == FC_SIGNED ? fx_make(v->i8) : fx_make(v->u8);
        case 2: return ty->cls == FC_SIGNED ? fx_make(v->i16) : fx_make(v->u16);
        case 4: return ty->cls == FC_SIGNED ? fx_make(v->i32) : fx_make(v->u32);
        default: return ty->cls == FC_SIGNED ? num_from_int64(tc, v->i64) : num_from_uint64(tc, v->u64);
        }
    case FC_FLOAT: return single_float_make(v->f);
    case FC_DOUBLE: return double_float_make(tc, v->d);
    case FC_POINTER: return ffi_pointer_make(tc, v->p);
    case FC_STRING: return v->p ? str_from_cstr(tc, (const char *)v->p) : NIL;
    case FC_BOOLEAN: return (widened ? (int)v->swidened : v->i32) != 0 ? T : NIL;
    case FC_VOID: break;
    }
    vm_values(tc, 0, NULL);
    return NIL;
}

void ffi_load(FfiTypeId t, const void *p, FfiValue *v) { memcpy(v, p, ffi_types[t].size); }

void ffi_store(FfiTypeId t, void *p, const FfiValue *v) { memcpy(p, v, ffi_types[t].size); }

void ffi_store_return(FfiTypeId t, void *ret, const FfiValue *v) {
    const FfiType *ty = &ffi_types[t];
    ffi_arg w;
    switch (ty->cls) {
    case FC_SIGNED:
        if (ty->size >= sizeof(ffi_arg)) break;
        w = (ffi_arg)(ffi_sarg)(ty->size == 1 ? v->i8 : ty->size == 2 ? v->i16 : v->i32);
        memcpy(ret, &w, sizeof w);
        return;
    case FC_UNSIGNED:
        if (ty->size >= sizeof(ffi_arg)) break;
        w = ty->size == 1 ? v->u8 : ty->size == 2 ? v->u16 : v->u32;
        memcpy(ret, &w, sizeof w);
        return;
    case FC_BOOLEAN:
        w = (ffi_arg)(ffi_sarg)v->i32;
        memcpy(ret, &w, sizeof w);
        return;
    case FC_VOID: return;
    default: break;
    }
    memcpy(ret, v, ty->size);
}
