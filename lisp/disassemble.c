/* lisp/disassemble.c — CL:DISASSEMBLE for bytecode functions: one line per
 * instruction with its operands, from the opcode table (opcodes.h). */
#include "lisp/opcodes.h"
#include "lisp/vm_impl.h"

static const struct { const char *name; unsigned operand_bytes; } op_info[] = {
#define X(name, nbytes, doc) {#name, nbytes},
    VM_OPCODES(X)
#undef X
};

static void write_fmt(ThContext *tc, LispObj out, const char *fmt, long a, long b) {
    char buf[96];
    snprintf(buf, sizeof buf, fmt, a, b);
    stm_write_cstr(tc, out, buf);
}

static void disassemble_code(ThContext *tc, LispObj code, LispObj out) {
    LispBytes *b = (LispBytes *)obj_words(CODE(code)->bytecode);
    size_t len = (size_t)fx_value(b->length);
    LispObj consts = CODE(code)->constants;
    stm_write_cstr(tc, out, "; disassembly of ");
    pr_prin1(tc, CODE(code)->name, out);
    write_fmt(tc, out, ": %ld bytes, %ld locals\n", (long)len, (long)code_nlocals(code));
    for (size_t pc = 0; pc < len;) {
        unsigned op = b->bytes[pc];
        if (op >= OP__COUNT) {
            write_fmt(tc, out, "%5ld  ??? %ld\n", (long)pc, (long)op);
            return;
        }
        write_fmt(tc, out, "%5ld  ", (long)pc, 0);
        stm_write_cstr(tc, out, op_info[op].name);
        const uint8_t *p = b->bytes + pc + 1;
        unsigned n = op_info[op].operand_bytes;
        if (n == 2 || n == 4 || n == 6) {
            long u = p[0] | (p[1] << 8);
            if (n == 4 && (op == OP_JUMP || op == OP_JUMP_NIL || op == OP_JUMP_NOT_NIL || op == OP_CATCH || op == OP_UWP))
                u |= (long)p[2] << 16 | (long)p[3] << 24;
            write_fmt(tc, out, " %ld", u, 0);
            if (n >= 4 && !(op == OP_JUMP || op == OP_JUMP_NIL || op == OP_JUMP_NOT_NIL || op == OP_CATCH || op == OP_UWP))
                write_fmt(tc, out, " %ld", (long)(p[2] | (p[3] << 8) | (n == 6 ? (p[4] << 16 | p[5] << 24) : 0)), 0);
            if (op == OP_CONST || op == OP_GLOBAL || op == OP_SET_GLOBAL || op == OP_FDEF || op == OP_BIND) {
                stm_write_cstr(tc, out, "   ; ");
                pr_prin1(tc, VEC(consts)->items[u], out);
            }
        }
        if (op == OP_JUMP_TABLE) n = 2 + 4 * (unsigned)(p[0] | (p[1] << 8));
        stm_write_char(tc, out, '\n');
        pc += 1 + n;
    }
}

static LispObj cl_disassemble(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj fn = args[0];
    if (symbol_p(fn) || cons_p(fn)) fn = vm_fdefinition(tc, fn);
    LispObj out = stm_output_designator(tc, NIL);
    if (kind_p(fn, KIND_BUILTIN)) {
        stm_write_cstr(tc, out, "; ");
        pr_prin1(tc, fn, out);
        stm_write_cstr(tc, out, " is a builtin written in C\n");
    } else if (kind_p(fn, KIND_CLOSURE)) {
        disassemble_code(tc, CLO(fn)->code, out);
        LispObj consts = CODE(CLO(fn)->code)->constants;
        for (size_t i = 0; i < vec_length(consts); i++)
            if (kind_p(VEC(consts)->items[i], KIND_CODE)) disassemble_code(tc, VEC(consts)->items[i], out);
    } else {
        cond_type_error(tc, args[0], S(FUNCTION_DESIGNATOR));
    }
    return NIL;
}

const BuiltinSpec builtins_disassemble[] = {
    {"DISASSEMBLE", "CL", cl_disassemble, 1, 1, "function", "Prints the bytecode of FUNCTION."},
    {0},
};
