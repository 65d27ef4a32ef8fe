/* lisp/builtins_packages.c — builtins of the core-language issue (packages); see
 * the notes.  The table is registered by builtins_vm.c. */
#include "lisp/vm_impl.h"

const BuiltinSpec builtins_packages[] = {
    {0},
};
