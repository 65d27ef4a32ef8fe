/* ffi/module.c — the module's entry: registers the PETREL-FFI builtin
 * tables (lisp_add_module calls it while the library is built from
 * source; the Lisp half, lisp/src/ffi.lisp, loads after). */
#include "ffi/ffi_impl.h"

void ffi_init_module(ThContext *tc) {
    static const BuiltinSpec *const tables[] = {ffi_builtins_types, ffi_builtins_pointer, ffi_builtins_memory,
                                                ffi_builtins_library, ffi_builtins_call, ffi_builtins_callback};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) lisp_register_builtins(tc, tables[i]);
}
