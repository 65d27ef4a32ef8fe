/* lisp/builtins_restarts.c — builtins of the core-language issue (restarts); see
 * the notes.  The table is registered by builtins_vm.c. */
#include "lisp/vm_impl.h"

const BuiltinSpec builtins_restarts[] = {
    {0},
};
