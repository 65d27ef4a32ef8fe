/* lisp/stream_composite.c — the streams made of other streams (CLHS 21.1.1):
 * broadcast (output to each of a list), concatenated (input from each in
 * turn), two-way (input from one, output to another), echo (a two-way
 * stream that copies what it reads to its output) and synonym (whatever
 * stream a special variable holds at the time of each operation).
 *
 * Fields (stream_impl.h, printer_impl.h): `buffer` holds the list of
 * components (broadcast, concatenated: the components not yet exhausted,
 * which is what CONCATENATED-STREAM-STREAMS returns), the input component
 * (two-way, echo) or the symbol (synonym); `other` the output component.
 * An echo stream keeps a character given back by UNREAD-CHAR in its own
 * `unread` word, so that reading it again does not echo it twice.
 * Line and column counts live in the components.  No state of its own. */
#include "lisp/stream_impl.h"

LispObj stm_make_composite(ThContext *tc, enum StreamKind kind, LispObj a, LispObj b) {
    LispObj s = stm_alloc(tc, kind);
    gc_init_store(&STM(s)->buffer, a);
    gc_init_store(&STM(s)->other, b);
    return s;
}

bool stm_composite_input_p(LispObj s) {
    switch (stm_kind(s)) {
    case STREAM_SYNONYM: return stm_input_p(stm_resolve_synonym(th_current(), s));
    case STREAM_CONCATENATED: case STREAM_TWO_WAY: case STREAM_ECHO: return true;
    default: return false;
    }
}

bool stm_composite_output_p(LispObj s) {
    switch (stm_kind(s)) {
    case STREAM_SYNONYM: return stm_output_p(stm_resolve_synonym(th_current(), s));
    case STREAM_BROADCAST: case STREAM_TWO_WAY: case STREAM_ECHO: return true;
    default: return false;
    }
}

static int32_t concatenated_read(ThContext *tc, LispObj s) {
    for (;;) {
        LispObj l = STM(s)->buffer;
        if (!cons_p(l)) return -1;
        int32_t c = stm_read_char(tc, CAR(l));
        if (c >= 0) return c;
        obj_set(&STM(s)->buffer, CDR(l));  /* exhausted: on to the next component */
    }
}

int32_t stm_composite_read(ThContext *tc, LispObj s) {
    switch (stm_kind(s)) {
    case STREAM_SYNONYM: return stm_read_char(tc, stm_resolve_synonym(tc, s));
    case STREAM_TWO_WAY: return stm_read_char(tc, STM(s)->buffer);
    case STREAM_ECHO: {
        if (STM(s)->unread >= 0) {
            int32_t c = (int32_t)STM(s)->unread;
            STM(s)->unread = -1;
            return c;
        }
        int32_t c = stm_read_char(tc, STM(s)->buffer);
        if (c >= 0) stm_write_char(tc, STM(s)->other, (uint32_t)c);
        return c;
    }
    case STREAM_CONCATENATED: return concatenated_read(tc, s);
    default: stm_error(tc, s, "%v is not an input stream", s);
    }
}

void stm_composite_unread(ThContext *tc, LispObj s, int32_t c) {
    switch (stm_kind(s)) {
    case STREAM_SYNONYM: stm_unread_char(tc, stm_resolve_synonym(tc, s), c); return;
    case STREAM_TWO_WAY: stm_unread_char(tc, STM(s)->buffer, c); return;
    case STREAM_ECHO:
        if (STM(s)->unread >= 0) cond_error(tc, "UNREAD-CHAR: a character is already unread on %v", s);
        STM(s)->unread = c;
        return;
    case STREAM_CONCATENATED:
        if (!cons_p(STM(s)->buffer)) cond_error(tc, "UNREAD-CHAR: nothing was read from %v", s);
        stm_unread_char(tc, CAR(STM(s)->buffer), c);
        return;
    default: stm_error(tc, s, "%v is not an input stream", s);
    }
}

void stm_composite_write(ThContext *tc, LispObj s, uint32_t c) {
    switch (stm_kind(s)) {
    case STREAM_SYNONYM: stm_write_char(tc, stm_resolve_synonym(tc, s), c); return;
    case STREAM_TWO_WAY: case STREAM_ECHO: stm_write_char(tc, STM(s)->other, c); return;
    case STREAM_BROADCAST:
        for (LispObj l = STM(s)->buffer; cons_p(l); l = CDR(l)) stm_write_char(tc, CAR(l), c);
        return;
    default: stm_error(tc, s, "%v is not an output stream", s);
    }
}
