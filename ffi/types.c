/* ffi/types.c — the foreign types: the table (sizes, alignments and
 * classes from the C compiler itself), the keyword that names each, the
 * libffi type of each, and %FOREIGN-TYPE-SIZE / %FOREIGN-TYPE-ALIGNMENT
 * (the public FOREIGN-TYPE-SIZE in ffi.lisp adds structures).
 * Read-only tables: any thread. */
#include "ffi/ffi_impl.h"

#include <stdalign.h>

const FfiType ffi_types[FT_COUNT] = {
#define X(e, n, c, k) [FT_##e] = {n, FT_##e == FT_VOID ? 0 : sizeof(c), FT_##e == FT_VOID ? 0 : alignof(c), k},
    FFI_TYPES(X)
#undef X
};

/* CFFI's longer spellings. */
static const struct { const char *name; FfiTypeId type; } aliases[] = {
    {"UNSIGNED-CHAR", FT_UCHAR}, {"UNSIGNED-SHORT", FT_USHORT}, {"UNSIGNED-INT", FT_UINT},
    {"UNSIGNED-LONG", FT_ULONG}, {"UNSIGNED-LONG-LONG", FT_ULLONG}, {"LLONG", FT_LLONG},
    {"ULLONG", FT_ULLONG},
};

FfiTypeId ffi_type_of(ThContext *tc, const char *op, LispObj keyword) {
    if (sym_keyword_p(keyword)) {
        LispObj name = SYM(keyword)->name;
        for (int t = 0; t < FT_COUNT; t++)
            if (str_equal_cstr(name, ffi_types[t].name)) return (FfiTypeId)t;
        for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
            if (str_equal_cstr(name, aliases[i].name)) return aliases[i].type;
    }
    ffi_error(tc, "%s: %v is not a known foreign type (expected a keyword such as :INT, :DOUBLE, :POINTER, :STRING)",
              op, keyword);
}

ffi_type *ffi_libffi_type(FfiTypeId t) {
    const FfiType *ty = &ffi_types[t];
    switch (ty->cls) {
    case FC_VOID: return &ffi_type_void;
    case FC_FLOAT: return &ffi_type_float;
    case FC_DOUBLE: return &ffi_type_double;
    case FC_POINTER:
    case FC_STRING: return &ffi_type_pointer;
    case FC_BOOLEAN: return &ffi_type_sint;
    case FC_SIGNED:
    case FC_UNSIGNED: break;
    }
    bool s = ty->cls == FC_SIGNED;
    switch (ty->size) {
    case 1: return s ? &ffi_type_sint8 : &ffi_type_uint8;
    case 2: return s ? &ffi_type_sint16 : &ffi_type_uint16;
    case 4: return s ? &ffi_type_sint32 : &ffi_type_uint32;
    default: return s ? &ffi_type_sint64 : &ffi_type_uint64;
    }
}

static LispObj fli_foreign_type_size(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)ffi_types[ffi_type_of(tc, "FOREIGN-TYPE-SIZE", args[0])].size);
}

static LispObj fli_foreign_type_alignment(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)ffi_types[ffi_type_of(tc, "FOREIGN-TYPE-ALIGNMENT", args[0])].align);
}

static LispObj fli_builtin_type_p(ThContext *tc, size_t nargs, LispObj *args) {
    if (!sym_keyword_p(args[0])) return NIL;
    LispObj name = SYM(args[0])->name;
    for (int t = 0; t < FT_COUNT; t++)
        if (str_equal_cstr(name, ffi_types[t].name)) return T;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (str_equal_cstr(name, aliases[i].name)) return T;
    return NIL;
}

const BuiltinSpec ffi_builtins_types[] = {
    {"%FOREIGN-TYPE-SIZE", "SYS", fli_foreign_type_size, 1, 1, "keyword",
     "Size in bytes of the built-in foreign type KEYWORD."},
    {"%FOREIGN-TYPE-ALIGNMENT", "SYS", fli_foreign_type_alignment, 1, 1, "keyword",
     "Alignment in bytes of the built-in foreign type KEYWORD."},
    {"%BUILTIN-FOREIGN-TYPE-P", "SYS", fli_builtin_type_p, 1, 1, "object",
     "True if OBJECT is a keyword naming a built-in foreign type."},
    {0},
};
