/* lisp/opcodes.h — the bytecode, one X-macro line per instruction:
 * X(NAME, operand bytes, stack effect note).  Operands are little-endian:
 * u16 = 2 bytes, addr = u32 absolute offset into the function's bytecode.
 * "top" is the value on top of the VM stack; fp[i] is local slot i;
 * env[i] is the i-th captured cell of the running closure. */
#ifndef PETREL_LISP_OPCODES_H
#define PETREL_LISP_OPCODES_H

#define VM_OPCODES(X)                                                                  \
    X(CONST, 2, "push constants[u16]")                                                 \
    X(NIL, 0, "push NIL")                                                              \
    X(T, 0, "push T")                                                                  \
    X(POP, 0, "drop top")                                                              \
    X(LOCAL, 2, "push fp[u16]")                                                        \
    X(SET_LOCAL, 2, "fp[u16] = top (top stays)")                                       \
    X(LOCAL_CELL, 2, "push value of the cell in fp[u16]")                              \
    X(SET_LOCAL_CELL, 2, "store top into the cell in fp[u16] (top stays)")             \
    X(MAKE_CELL, 2, "fp[u16] = new cell holding fp[u16]")                              \
    X(ENV, 2, "push env[u16] (the cell itself, to pass on to an inner closure)")       \
    X(ENV_CELL, 2, "push value of cell env[u16]")                                      \
    X(SET_ENV_CELL, 2, "store top into cell env[u16] (top stays)")                     \
    X(GLOBAL, 2, "push the dynamic value of symbol constants[u16]; unbound → error")   \
    X(SET_GLOBAL, 2, "set the dynamic value of symbol constants[u16] to top")          \
    X(FDEF, 2, "push the global function of name constants[u16]; undefined → error")   \
    X(BIND, 2, "pop value; bind symbol constants[u16] dynamically")                    \
    X(SAVE_BIND, 2, "fp[u16] = fixnum(binding stack height)")                          \
    X(UNBIND_TO, 2, "unbind specials to the height saved in fp[u16]")                  \
    X(JUMP, 4, "pc = addr")                                                            \
    X(JUMP_NIL, 4, "pop; if NIL pc = addr")                                            \
    X(JUMP_NOT_NIL, 4, "pop; if not NIL pc = addr")                                    \
    X(JUMP_SUPPLIED, 6, "if fp[u16] is not the unsupplied marker, pc = addr")          \
    X(SET_SP, 2, "truncate the stack to fp + u16 slots (keep nothing)")                \
    X(SET_SP_KEEP, 2, "pop top; truncate the stack to fp + u16; push top")             \
    X(CALL, 2, "call stack[-u16-1] with u16 args; push result")                        \
    X(TAIL_CALL, 2, "call replacing this frame")                                       \
    X(MV_CALL, 2, "stack: fn, then u16 value lists: call fn on their concatenation")   \
    X(RET, 0, "return top (values as set)")                                            \
    X(RET1, 0, "return top as the only value")                                         \
    X(SV, 0, "one value: the top")                                                     \
    X(MV_LIST, 0, "pop top; push the list of the current values")                      \
    X(MV_RESTORE, 0, "pop a list; its items become the current values; push primary")  \
    X(MV_LOCALS, 4, "pop top; store the first u16(2nd) values into fp[u16(1st)...]")   \
    X(CLOSURE, 4, "code constants[u16], u16 cells on the stack → push a closure")      \
    X(CATCH, 4, "pop tag; push a catch frame landing at addr")                         \
    X(UNCATCH, 0, "pop the catch frame (normal exit)")                                 \
    X(THROW, 0, "pop value... tag below it: transfer to the catch")                    \
    X(UWP, 4, "push an unwind-protect frame whose cleanup is at addr")                 \
    X(UWP_NORMAL, 0, "pop the frame; save values and a normal marker for the cleanup") \
    X(UWP_END, 0, "cleanup done: restore values, or resume the pending unwind")        \
    X(NLX_ENTER, 6, "fp[u16] = fresh exit point; push an exit frame landing at addr")  \
    X(NLX_LEAVE, 2, "pop the exit frame of fp[u16]; the exit point dies")              \
    X(NLX_RETURN, 0, "pop exit point; return the current values to it")                \
    X(NLX_GO, 2, "pop exit point; transfer to it with tag index u16")                  \
    X(JUMP_TABLE, 2, "pop fixnum i (< u16); pc = the i-th addr that follows")          \
    X(PROGV, 0, "pop values and symbols lists; bind them")                             \
    X(CAR, 0, "top = (car top)")                                                       \
    X(CDR, 0, "top = (cdr top)")                                                       \
    X(CONS, 0, "pop b, a; push (cons a b)")                                            \
    X(EQ, 0, "pop b, a; push (eq a b)")                                                \
    X(NOT, 0, "top = (not top)")                                                       \
    X(ADD, 0, "pop b, a; push (+ a b)")                                                \
    X(SUB, 0, "pop b, a; push (- a b)")                                                \
    X(LT, 0, "pop b, a; push (< a b)")                                                 \
    X(GT, 0, "pop b, a; push (> a b)")                                                 \
    X(LE, 0, "pop b, a; push (<= a b)")                                                \
    X(GE, 0, "pop b, a; push (>= a b)")                                                \
    X(NUM_EQ, 0, "pop b, a; push (= a b)")                                             \
    X(ADD1, 0, "top = (1+ top)")                                                       \
    X(SUB1, 0, "top = (1- top)")

enum VmOpcode {
#define X(name, nbytes, doc) OP_##name,
    VM_OPCODES(X)
#undef X
    OP__COUNT
};

#endif
