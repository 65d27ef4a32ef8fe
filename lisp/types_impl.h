/* lisp/types_impl.h — the type system's C entry points beyond lisp_typep
 * (declared in vm_impl.h), shared by types.c and builtins_types.c. */
#ifndef PETREL_LISP_TYPES_IMPL_H
#define PETREL_LISP_TYPES_IMPL_H

#include "lisp/vm_impl.h"

/* A built-in atomic type name, a structure type or a condition type
 * (not a DEFTYPE). */
bool ty_known_atomic_p(LispObj sym);

#endif
