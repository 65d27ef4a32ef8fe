/* ffi/ffi.h — the public surface of the foreign function interface
 * (package PETREL-FFI): the module's init, which the petrel binary hands to
 * lisp_add_module before lisp_init, and foreign pointer objects for other
 * C code.  Design and semantics: ffi/README.md. */
#ifndef PETREL_FFI_FFI_H
#define PETREL_FFI_FFI_H

#include "lisp/lisp.h"

/* Registers the PETREL-FFI builtins (a LispModuleInit). */
void ffi_init_module(ThContext *tc);

/* A foreign pointer object holding address (may collect). */
LispObj ffi_pointer_make(ThContext *tc, void *address);
static inline bool ffi_pointer_p(LispObj x) { return kind_p(x, KIND_FOREIGN_POINTER); }
/* The address a foreign pointer holds (x must be one). */
static inline void *ffi_pointer_address(LispObj x) { return (void *)(uintptr_t)obj_words(x)[1]; }

#endif
