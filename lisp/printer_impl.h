/* lisp/printer_impl.h — private declarations shared by stream.c, printer.c,
 * printer_float.c, format.c and builtins_io.c (and their tests).  Nothing
 * outside these files includes it. */
#ifndef PETREL_LISP_PRINTER_IMPL_H
#define PETREL_LISP_PRINTER_IMPL_H

#include "lisp/lisp.h"

/* ---- Streams (stream.c) ----
 * Use of the LispStream fields per kind:
 *   string input:  buffer = source string, position = next index, end = end index
 *   string output: buffer = accumulator (capacity = its length), position = used
 *   file input:    position = fixnum column before the last newline read (so an
 *                  unread newline restores the column), end = fixnum StmFlags
 *   file output:   end = fixnum StmFlags
 *   files (all):   name = namestring, other = pathname given to OPEN (or NIL),
 *                  element_type, aux = backup namestring, bits = StmBits
 *   broadcast, concatenated: buffer = list of component streams
 *   two-way, echo: buffer = input stream, other = output stream
 *   synonym:       buffer = the symbol
 * line/column/chars_read count what was consumed (input) or written (output);
 * composite streams leave them to their components.  stream_impl.h has the
 * rest (StmBits, the Gray streams hook). */
enum StmFlags {
    STMF_INTERACTIVE = 1,  /* the FILE is a terminal: flush at newline, before reads */
};

bool stm_input_p(LispObj stream);
bool stm_output_p(LispObj stream);
/* Writes a newline unless at column 0; true if it wrote one. */
bool stm_fresh_line(ThContext *tc, LispObj stream);
/* Checks that x is a stream of the right direction, else signals. */
LispObj stm_check_output(ThContext *tc, LispObj x);
LispObj stm_check_input(ThContext *tc, LispObj x);
/* Writes n code points. */
void stm_write_chars(ThContext *tc, LispObj stream, const uint32_t *chars, size_t n);

/* ---- Printer (printer.c) ---- */
/* The printer control variables, captured once per top-level print so that
 * the walk does not re-read specials for every object. */
typedef struct PrOptions {
    bool escape, readably, radix, circle, pretty, gensym, array;
    int base;              /* 2..36 */
    int read_base;         /* for the potential-number test on symbol names */
    LispObj print_case;    /* :upcase, :downcase or :capitalize */
    int64_t level, length; /* -1 = no limit */
} PrOptions;

/* Fills opts from the current values of the *print-...* variables. */
void pr_options_from_specials(ThContext *tc, PrOptions *opts);
/* Prints obj under opts (the entry point all others lead to). */
void pr_print_with(ThContext *tc, LispObj obj, LispObj stream, const PrOptions *opts);
/* Integer in base without radix marks, into a fresh Lisp string. */
LispObj pr_integer_to_string(ThContext *tc, LispObj integer, int base);
/* True if x is shared (has or needs a #n= label) in the print in progress. */
bool pr_circle_shared_p(ThContext *tc, LispObj x);
/* A fresh *print-circle* labelling of obj (bound by the pretty printer when
 * a logical block is printed outside any print), and the label of x under
 * the bound one (true: #n# was printed, x must not be). */
LispObj pr_circle_begin(ThContext *tc, LispObj obj);
bool pr_circle_label(ThContext *tc, LispObj x, LispObj stream);
/* Name text of a character (e.g. "Space"), or NULL if it has no name. */
const char *pr_char_name(uint32_t code);

/* ---- Floats (printer_float.c) ----
 * Shortest digits that read back to the same float: digits[] gets the
 * significant digits (no leading zeros, at least one), *exp10 the decimal
 * exponent such that value = 0.DIGITS * 10^exp10.  x must be finite and
 * non-zero; single selects float precision. */
size_t pr_float_digits(double x, bool single, char *digits, size_t cap, int *exp10);
/* The float in CL syntax as prin1 prints it, into buf (at least 64 bytes). */
void pr_float_to_cstr(ThContext *tc, LispObj x, char *buf, size_t cap);
/* Exponent marker prin1 uses for x when it needs one: 'e' if x's format is
 * *read-default-float-format*, else 'f' or 'd'. */
char pr_float_marker(ThContext *tc, LispObj x);
/* C double of any real (rationals correctly rounded; NaN for non-reals). */
double pr_real_to_double(LispObj x);

/* ---- Builtins (builtins_io.c) ---- */
extern const BuiltinSpec builtins_io[];

#endif
