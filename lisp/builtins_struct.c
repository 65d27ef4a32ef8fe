/* lisp/builtins_struct.c — builtins of the core-language issue (struct); see
 * the notes.  The table is registered by builtins_vm.c. */
#include "lisp/vm_impl.h"

/* Until defstruct lands no type is a structure type. */
bool lisp_structure_typep(LispObj object, LispObj type_name) { (void)object; (void)type_name; return false; }
bool lisp_structure_type_p(LispObj type_name) { (void)type_name; return false; }
bool lisp_structure_subtype_p(LispObj sub, LispObj super) { (void)sub; (void)super; return false; }

const BuiltinSpec builtins_struct[] = {
    {0},
};
