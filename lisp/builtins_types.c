/* lisp/builtins_types.c — builtins of the core-language issue (types); see
 * the notes.  The table is registered by builtins_vm.c. */
#include "lisp/vm_impl.h"

const BuiltinSpec builtins_types[] = {
    {0},
};
