/* lisp/format_impl.h — private declarations shared by the FORMAT
 * interpreter (format.c) and its directive files (format_justify.c).
 * Nothing else includes it. */
#ifndef PETREL_LISP_FORMAT_IMPL_H
#define PETREL_LISP_FORMAT_IMPL_H

#include "lisp/lisp.h"
#include "lisp/printer_impl.h"

enum { MAX_PARAMS = 8, MAX_CLAUSES = 64 };
/* What a directive tells its caller: go on, or ~^ fired (UP_AND_OUT ends the
 * innermost ~{ step, ~< clause or the whole FORMAT; UP_ALL, from ~:^, ends an
 * enclosing ~:{). */
enum Outcome { GO_ON, UP_AND_OUT, UP_ALL };

typedef struct Fmt {
    ThContext *tc;
    LispObj control;          /* the control string */
    const uint32_t *s;        /* its characters */
    size_t len;
    LispObj stream;           /* where output goes now */
    bool fill_blanks;         /* inside ~<...~:@>: a fill newline after each blank run */
} Fmt;

typedef struct Args {
    LispObj all;              /* the whole argument list (for ~:* and ~@*) */
    LispObj rest;             /* next argument */
    size_t index;             /* position of rest within all */
    const LispObj *outer;     /* remaining sublists of an enclosing ~:{ (for ~:^) */
    int64_t length_left;      /* in a logical block: pops left before "..." (-1: no limit) */
    bool cut;                 /* *print-length* ended the block's list: stop */
} Args;

enum ParamKind { P_NONE, P_INT, P_CHAR };
typedef struct Param { enum ParamKind kind; int64_t v; } Param;

typedef struct Directive {
    size_t start, end;        /* the ~ and just past the directive character */
    Param params[MAX_PARAMS];
    int nparams;
    bool colon, at;
    uint32_t ch;              /* directive character, upper case */
    size_t name_start, name_end; /* ~/name/ */
} Directive;

/* A clause of ~[ ~< ...: its text, and the ~; before it (sep, its modifiers). */
typedef struct Clause { size_t start, end; bool colon_before, at_before; size_t sep; } Clause;

typedef int (*DirFn)(Fmt *f, Directive *d, Args *a);

/* format.c */
__attribute__((format(printf, 3, 4)))
_Noreturn void fmt_error(Fmt *f, size_t pos, const char *msg, ...);
int fmt_interpret(Fmt *f, size_t start, size_t end, Args *a);
/* Parses the directive whose ~ is at i (a NULL: V and # stay unsupplied). */
void fmt_parse_directive(Fmt *f, size_t i, Args *a, Directive *d);
LispObj fmt_next_arg(Fmt *f, Directive *d, Args *a);
Args fmt_args_over(LispObj list, const LispObj *outer);
int64_t fmt_int_param(Fmt *f, Directive *d, int i, int64_t dflt);
bool fmt_has_param(Directive *d, int i);
uint32_t fmt_char_param(Fmt *f, Directive *d, int i, uint32_t dflt);
/* Clauses between the opener ending at from and its closer (*close). */
int fmt_find_clauses(Fmt *f, size_t from, uint32_t open, Clause *cl, Directive *close);
void fmt_out_char(Fmt *f, uint32_t c, int64_t n);
void fmt_out_lstr(Fmt *f, LispObj s);
LispObj fmt_print_to_string(Fmt *f, LispObj obj, const PrOptions *o);

/* format_justify.c: ~< ~> justification and logical blocks, ~_ ~I ~:T */
int fmt_dir_angle(Fmt *f, Directive *d, Args *a);
int fmt_dir_underscore(Fmt *f, Directive *d, Args *a);
int fmt_dir_indent(Fmt *f, Directive *d, Args *a);
/* SYS::%FORMAT-BLOCK-BODY (a builtin of builtins_pprint.c's table). */
LispObj sys_format_block_body(ThContext *tc, size_t nargs, LispObj *args);
/* The rest of the arguments after FORMAT (for FORMATTER's functions). */
LispObj fmt_format_rest(ThContext *tc, LispObj stream, LispObj control, LispObj args);
/* True if stream is a pretty-printing stream (inside a logical block). */
bool fmt_pretty_stream_p(ThContext *tc, LispObj stream);
/* ~T on a pretty stream: pprint-tab of the kind (0 :line, 1 :line-relative,
 * 2 :section, 3 :section-relative). */
void fmt_pprint_tab(Fmt *f, int kind, int64_t colnum, int64_t colinc);
/* PPRINT-NEWLINE of the kind named (upper case) on f->stream. */
void fmt_pprint_newline(Fmt *f, const char *kind);

#endif
