/* lisp/builtins_ext.c — PETREL-EXT: the collector's controls and figures
 * (gc, room, gc-statistics), quit, getenv and the command line. */
#include "lisp/vm_impl.h"

#include <stdlib.h>

static LispObj kw(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

static LispObj key_arg(ThContext *tc, size_t nargs, LispObj *args, size_t start, const char *name, LispObj dflt) {
    if ((nargs - start) & 1) cond_program_error(tc, "odd number of keyword arguments");
    LispObj k = kw(tc, name);
    for (size_t i = start; i + 1 < nargs; i += 2)
        if (args[i] == k) return args[i + 1];
    return dflt;
}

static LispObj ext_gc(ThContext *tc, size_t nargs, LispObj *args) {
    (void)key_arg(tc, nargs, args, 0, "FULL", NIL);  /* every collection is full for now */
    gc_collect(&tc->gc);
    return NIL;
}

static LispObj num_u64(ThContext *tc, uint64_t v) { return num_from_int64(tc, (int64_t)v); }

static LispObj ext_gc_statistics(ThContext *tc, size_t nargs, LispObj *args) {
    GcStats st;
    gc_get_stats(&st);
    LispObj hist = NIL;
    for (size_t i = 8; i-- > 0;) hist = lisp_cons(tc, num_u64(tc, st.pause_histogram[i]), hist);
    double frag = st.heap_bytes ? (double)st.free_bytes_in_pages / (double)st.heap_bytes : 0.0;
    LispObj items[] = {
        kw(tc, "COLLECTIONS"), num_u64(tc, st.collections),
        kw(tc, "BYTES-ALLOCATED"), num_u64(tc, st.bytes_allocated_total),
        kw(tc, "HEAP-BYTES"), num_u64(tc, st.heap_bytes),
        kw(tc, "LIVE-BYTES"), num_u64(tc, st.live_bytes),
        kw(tc, "FREE-BYTES-IN-PAGES"), num_u64(tc, st.free_bytes_in_pages),
        kw(tc, "FRAGMENTATION"), double_float_make(tc, frag),
        kw(tc, "HEAP-LIMIT"), num_u64(tc, st.heap_limit_bytes),
        kw(tc, "PAUSE-COUNT"), num_u64(tc, st.collections),
        kw(tc, "PAUSE-MAX-NS"), num_u64(tc, st.pause_ns_max),
        kw(tc, "PAUSE-TOTAL-NS"), num_u64(tc, st.pause_ns_total),
        kw(tc, "PAUSE-HISTOGRAM"), hist,
        kw(tc, "LAST-MARKED-BYTES"), num_u64(tc, st.last_marked_bytes),
        kw(tc, "LAST-FREED-BYTES"), num_u64(tc, st.last_freed_bytes),
        kw(tc, "LAST-MARK-NS"), num_u64(tc, st.last_mark_ns),
        kw(tc, "BARRIER-SLOW-CALLS"), num_u64(tc, st.barrier_slow_calls),
        kw(tc, "MARKERS"), num_u64(tc, st.markers),
        kw(tc, "TARGET-PERCENT"), num_u64(tc, st.target_percent),
        kw(tc, "CONCURRENT"), st.concurrent ? T : NIL,
        kw(tc, "WEAK-POINTERS"), num_u64(tc, st.weak_refs),
        kw(tc, "WEAK-POINTERS-BROKEN"), num_u64(tc, st.weak_broken_total),
        kw(tc, "BYTES-RELEASED"), num_u64(tc, st.bytes_released_total),
        kw(tc, "ASSISTS"), num_u64(tc, st.assists),
        kw(tc, "ASSIST-NS"), num_u64(tc, st.assist_ns),
    };
    return lisp_list_from(tc, sizeof items / sizeof items[0], items);
}

/* Pacing: (gc-target-percent) reads it; (gc-target-percent N) sets it. */
static LispObj ext_gc_target_percent(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 1) {
        LispObj n = args[0];
        if (!fx_p(n) || fx_value(n) < 10 || fx_value(n) > 10000)
            cond_type_error(tc, n, lisp_list(tc, 3, S(INTEGER), fx_make(10), fx_make(10000)));
        gc_set_target_percent((unsigned)fx_value(n));
    }
    return fx_make((int64_t)gc_target_percent());
}

static LispObj cl_room(ThContext *tc, size_t nargs, LispObj *args) {
    GcStats st;
    gc_get_stats(&st);
    LispObj out = stm_output_designator(tc, NIL);
    char buf[1024];
    double mb = 1024.0 * 1024.0;
    double frag = st.heap_bytes ? 100.0 * (double)st.free_bytes_in_pages / (double)st.heap_bytes : 0.0;
    double mean = st.collections ? (double)st.pause_ns_total / (double)st.collections / 1e6 : 0.0;
    snprintf(buf, sizeof buf,
             "Dynamic space: heap %.1f MB in use of %.1f MB limit\n"
             "  live after last GC: %.1f MB; free inside used pages: %.1f MB (fragmentation %.1f%%)\n"
             "  large objects: %llu; allocated since start: %.1f MB\n"
             "GC: %llu collections; pauses max %.3f ms, mean %.3f ms, last %.3f ms\n"
             "  pause histogram (<0.1ms <1ms <10ms <100ms <1s <10s >=10s): %llu %llu %llu %llu %llu %llu %llu\n"
             "  collector: %s, %u marker%s, next cycle after %u%% of live allocated; last cycle marked %.1f MB "
             "in %.3f ms, freed %.1f MB\n",
             st.heap_bytes / mb, st.heap_limit_bytes / mb, st.live_bytes / mb, st.free_bytes_in_pages / mb, frag,
             (unsigned long long)st.large_objects, st.bytes_allocated_total / mb, (unsigned long long)st.collections,
             st.pause_ns_max / 1e6, mean, st.pause_ns_last / 1e6, (unsigned long long)st.pause_histogram[0],
             (unsigned long long)st.pause_histogram[1], (unsigned long long)st.pause_histogram[2],
             (unsigned long long)st.pause_histogram[3], (unsigned long long)st.pause_histogram[4],
             (unsigned long long)st.pause_histogram[5], (unsigned long long)st.pause_histogram[6],
             st.concurrent ? "concurrent" : "stop-the-world", st.markers, st.markers == 1 ? "" : "s",
             st.target_percent, st.last_marked_bytes / mb, st.last_mark_ns / 1e6, st.last_freed_bytes / mb);
    stm_write_cstr(tc, out, buf);
    vm_values(tc, 0, NULL);
    return NIL;
}

static LispObj ext_quit(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj code = fx_make(0);
    if (nargs == 1) code = args[0];
    else if (nargs > 1) code = key_arg(tc, nargs, args, 0, "CODE", fx_make(0));
    if (!fx_p(code)) cond_type_error(tc, code, S(INTEGER));
    stm_finish_output(tc, sym_value(tc, S(STAR_STANDARD_OUTPUT)));
    stm_finish_output(tc, sym_value(tc, S(STAR_ERROR_OUTPUT)));
    vm_throw(tc, S(QUIT_TAG), code);
}

static LispObj ext_getenv(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = arg_string_designator(tc, args[0]);
    char buf[1024];
    if (str_to_utf8(name, buf, sizeof buf) >= sizeof buf) return NIL;
    const char *v = getenv(buf);
    return v ? str_from_cstr(tc, v) : NIL;
}

static LispObj ext_posix_argv(ThContext *tc, size_t nargs, LispObj *args) {
    return sym_value(tc, S(STAR_POSIX_ARGV));
}

static LispObj ext_verify_heap(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)gc_verify_heap_stopped(&tc->gc));
}

/* Saves the image and exits through QUIT-TAG like QUIT, so the stack
 * unwinds and main flushes the streams. */
static LispObj ext_save_lisp_and_die(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj path = arg_string(tc, args[0]);
    LispObj toplevel = key_arg(tc, nargs, args, 1, "TOPLEVEL", NIL);
    LispObj executable = key_arg(tc, nargs, args, 1, "EXECUTABLE", NIL);
    for (size_t i = 1; i + 1 < nargs; i += 2)
        if (args[i] != kw(tc, "TOPLEVEL") && args[i] != kw(tc, "EXECUTABLE"))
            cond_program_error(tc, "SAVE-LISP-AND-DIE: unknown keyword argument %s",
                               symbol_p(args[i]) ? "(not :TOPLEVEL or :EXECUTABLE)" : "(not a symbol)");
    if (toplevel != NIL) toplevel = arg_function_designator(tc, toplevel);
    char buf[4096], err[1024];
    if (str_to_utf8(path, buf, sizeof buf) >= sizeof buf) cond_error(tc, "SAVE-LISP-AND-DIE: path too long");
    stm_finish_output(tc, sym_value(tc, S(STAR_STANDARD_OUTPUT)));
    stm_finish_output(tc, sym_value(tc, S(STAR_ERROR_OUTPUT)));
    if (!img_save(tc, buf, toplevel, executable != NIL, err, sizeof err))
        cond_error(tc, "SAVE-LISP-AND-DIE: %s", err);
    vm_throw(tc, S(QUIT_TAG), fx_make(0));
}

const BuiltinSpec builtins_ext[] = {
    {"SAVE-LISP-AND-DIE", "EXT", ext_save_lisp_and_die, 1, BUILTIN_REST, "pathname &key toplevel executable",
     "Saves the whole Lisp image (user definitions included) as a core file at PATHNAME, then exits. "
     "Start it with petrel --core PATHNAME; TOPLEVEL, a function of no arguments, then runs instead of "
     "the REPL (after any --eval/--load) and its fixnum value is the exit status. With EXECUTABLE true, "
     "PATHNAME is a program: this petrel binary with the image inside, which starts from that image."},
    {"GC", "EXT", ext_gc, 0, BUILTIN_REST, "&key full", "Runs a full garbage collection."},
    {"GC-STATISTICS", "EXT", ext_gc_statistics, 0, 0, "", "Collector figures as a plist."},
    {"GC-TARGET-PERCENT", "EXT", ext_gc_target_percent, 0, 1, "&optional percent",
     "The collector's pacing: a cycle starts when the memory allocated since the last one reaches PERCENT of "
     "the live heap (at least 32 MB, or an eighth of the heap). Lower collects more often and keeps the heap "
     "smaller; higher collects less. With PERCENT (an integer from 10 to 10000) sets it; returns the value in "
     "force. Initially PETREL_GC_TARGET_PERCENT, else 30 with the concurrent collector and 100 with the "
     "stop-the-world one."},
    {"ROOM", "CL", cl_room, 0, 1, "&optional detail", "Prints heap and collector figures."},
    {"QUIT", "EXT", ext_quit, 0, 2, "&key code", "Exits Petrel with status CODE (default 0)."},
    {"GETENV", "EXT", ext_getenv, 1, 1, "name", "The value of environment variable NAME, or NIL."},
    {"POSIX-ARGV", "EXT", ext_posix_argv, 0, 0, "", "The command line as a list of strings."},
    {"VERIFY-HEAP", "EXT", ext_verify_heap, 0, 0, "", "Runs the heap verifier; returns the number of problems."},
    {0},
};
