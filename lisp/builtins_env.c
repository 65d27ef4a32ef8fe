/* lisp/builtins_env.c — the C half of CLHS chapter 25 (the environment):
 * what the implementation, machine and system are (uname, gethostname,
 * /proc/cpuinfo), the clocks (universal time, internal real and run time,
 * the local time zone of an instant), the documentation and lambda list
 * kept in function objects, and running a program and waiting for it (ED).
 * The rest (decoding and encoding times, TIME, DESCRIBE, APROPOS, TRACE,
 * DOCUMENTATION, DRIBBLE, INSPECT) is Lisp in lisp/src/environment.lisp.
 *
 * Internal time is in microseconds (INTERNAL-TIME-UNITS-PER-SECOND is
 * 1000000): real time is CLOCK_MONOTONIC (its base is arbitrary, as CLHS
 * allows), run time is the whole process's user + system CPU time
 * (getrusage RUSAGE_SELF, all threads).  No state of its own; every call
 * that may block (waitpid, reading /proc) runs in a safe region. */
#include "lisp/vm_impl.h"
#include "lisp/builtins_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds from 1900-01-01 (universal time 0) to 1970-01-01 (Unix time 0). */
enum { UNIX_EPOCH_UNIVERSAL = 2208988800 };

/* ---- the implementation, the machine, the system ---- */

static LispObj cl_lisp_implementation_type(ThContext *tc, size_t nargs, LispObj *args) {
    return str_from_cstr(tc, "Petrel");
}
static LispObj cl_lisp_implementation_version(ThContext *tc, size_t nargs, LispObj *args) {
    return str_from_cstr(tc, PETREL_VERSION);
}

/* Which: 0 machine, 1 system name, 2 release.  NIL if uname fails. */
static LispObj uname_field(ThContext *tc, int which) {
    struct utsname u;
    if (uname(&u) != 0) return NIL;
    return str_from_cstr(tc, which == 0 ? u.machine : which == 1 ? u.sysname : u.release);
}
static LispObj cl_machine_type(ThContext *tc, size_t nargs, LispObj *args) { return uname_field(tc, 0); }
static LispObj cl_software_type(ThContext *tc, size_t nargs, LispObj *args) { return uname_field(tc, 1); }
static LispObj cl_software_version(ThContext *tc, size_t nargs, LispObj *args) { return uname_field(tc, 2); }

/* The processor's model name from /proc/cpuinfo, or NIL. */
static LispObj cl_machine_version(ThContext *tc, size_t nargs, LispObj *args) {
    char line[512], model[256] = "";
    th_enter_safe(tc);
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && !model[0] && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) != 0 || !colon) continue;
        colon += 1 + (colon[1] == ' ');
        snprintf(model, sizeof model, "%s", colon);
        model[strcspn(model, "\n")] = 0;
    }
    if (f) fclose(f);
    th_leave_safe(tc);
    return model[0] ? str_from_cstr(tc, model) : NIL;
}

static LispObj cl_machine_instance(ThContext *tc, size_t nargs, LispObj *args) {
    char host[256];
    if (gethostname(host, sizeof host) != 0) return NIL;
    host[sizeof host - 1] = 0;
    return str_from_cstr(tc, host);
}

/* CLHS leaves the site names to the implementation; there is no site. */
static LispObj cl_site_name(ThContext *tc, size_t nargs, LispObj *args) { return NIL; }

/* ---- clocks ---- */

static LispObj cl_get_universal_time(ThContext *tc, size_t nargs, LispObj *args) {
    return num_from_int64(tc, (int64_t)time(NULL) + UNIX_EPOCH_UNIVERSAL);
}

static LispObj cl_get_internal_real_time(ThContext *tc, size_t nargs, LispObj *args) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return num_from_int64(tc, (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

static int64_t timeval_us(struct timeval tv) { return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec; }

static LispObj cl_get_internal_run_time(ThContext *tc, size_t nargs, LispObj *args) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return num_from_int64(tc, timeval_us(ru.ru_utime) + timeval_us(ru.ru_stime));
}

/* (%cpu-times) → user and system CPU microseconds of the process, for TIME. */
static LispObj sys_cpu_times(ThContext *tc, size_t nargs, LispObj *args) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    LispObj v[2] = {num_from_int64(tc, timeval_us(ru.ru_utime)), num_from_int64(tc, timeval_us(ru.ru_stime))};
    return vm_values(tc, 2, v);
}

/* (%local-time-offset universal-time) → the local zone's offset east of
 * Greenwich in seconds at that instant (daylight saving included) and
 * whether daylight saving is in effect then (localtime_r, TZ rules). */
static LispObj sys_local_time_offset(ThContext *tc, size_t nargs, LispObj *args) {
    time_t t = (time_t)(arg_fixnum(tc, args[0]) - UNIX_EPOCH_UNIVERSAL);
    struct tm tm;
    LispObj v[2] = {fx_make(0), NIL};
    if (localtime_r(&t, &tm)) {
        v[0] = fx_make((int64_t)tm.tm_gmtoff);
        v[1] = tm.tm_isdst > 0 ? T : NIL;
    }
    return vm_values(tc, 2, v);
}

/* ---- function objects: documentation and lambda list ---- */

static LispObj function_arg(ThContext *tc, LispObj x) {
    if (!function_p(x)) cond_type_error(tc, x, S(FUNCTION));
    return x;
}

/* The slot holding a function's docstring: its code's, or the builtin's. */
static LispObj *doc_slot(LispObj fn) {
    if (kind_p(fn, KIND_CLOSURE)) return &CODE(CLO(fn)->code)->doc;
    return &((LispBuiltin *)obj_words(fn))->doc;
}

static LispObj sys_function_documentation(ThContext *tc, size_t nargs, LispObj *args) {
    return *doc_slot(function_arg(tc, args[0]));
}

/* Sets the docstring of a compiled function's code, so every closure over
 * the same lambda shares it. */
static LispObj sys_set_function_documentation(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj fn = function_arg(tc, args[0]), doc = args[1];
    if (doc != NIL && !string_p(doc)) doc = arg_string(tc, doc);
    obj_set(doc_slot(fn), doc);
    return args[1];
}

/* (%function-lambda-list fn) → the lambda list (a list for compiled code,
 * the registered text for a builtin) and T, or NIL NIL if unknown. */
static LispObj sys_function_lambda_list(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj fn = function_arg(tc, args[0]);
    LispObj v[2] = {NIL, T};
    if (kind_p(fn, KIND_CLOSURE)) {
        v[0] = CODE(CLO(fn)->code)->lambda_list;
    } else {
        LispBuiltin *b = (LispBuiltin *)obj_words(fn);
        const BuiltinSpec *spec = lisp_builtin_spec(b->fn, b->name);
        if (spec && spec->lambda_list) v[0] = str_from_cstr(tc, spec->lambda_list);
        else v[1] = NIL;
    }
    return vm_values(tc, 2, v);
}

/* ---- running a program (ED) ---- */

enum { RUN_MAX_ARGS = 16, RUN_ARG_CAP = 1024 };

/* (%run-program program args) → the exit status of PROGRAM (searched in
 * PATH) run with the list of strings ARGS, waiting for it; 128 + signal
 * number if it was killed.  Standard streams are inherited. */
static LispObj sys_run_program(ThContext *tc, size_t nargs, LispObj *args) {
    char *argv[RUN_MAX_ARGS + 2];
    char store[RUN_MAX_ARGS + 1][RUN_ARG_CAP];
    size_t n = 0;
    LispObj prog = arg_string(tc, args[0]);
    if (str_to_utf8(prog, store[n], RUN_ARG_CAP) >= RUN_ARG_CAP) cond_error(tc, "ED: program name too long");
    argv[n] = store[n];
    n++;
    for (LispObj l = arg_list(tc, args[1]); cons_p(l); l = CDR(l)) {
        if (n > RUN_MAX_ARGS) cond_error(tc, "ED: too many program arguments");
        if (str_to_utf8(arg_string(tc, CAR(l)), store[n], RUN_ARG_CAP) >= RUN_ARG_CAP)
            cond_error(tc, "ED: program argument too long");
        argv[n] = store[n];
        n++;
    }
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) cond_error(tc, "ED: fork failed: %s", strerror(errno));
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    th_enter_safe(tc);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    th_leave_safe(tc);
    return fx_make(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0));
}

const BuiltinSpec builtins_env[] = {
    {"LISP-IMPLEMENTATION-TYPE", "CL", cl_lisp_implementation_type, 0, 0, "", "The string \"Petrel\"."},
    {"LISP-IMPLEMENTATION-VERSION", "CL", cl_lisp_implementation_version, 0, 0, "", "Petrel's version, a string."},
    {"MACHINE-TYPE", "CL", cl_machine_type, 0, 0, "", "The hardware type (uname's machine, e.g. \"x86_64\")."},
    {"MACHINE-VERSION", "CL", cl_machine_version, 0, 0, "", "The processor model (from /proc/cpuinfo), or NIL."},
    {"MACHINE-INSTANCE", "CL", cl_machine_instance, 0, 0, "", "This computer's host name."},
    {"SOFTWARE-TYPE", "CL", cl_software_type, 0, 0, "", "The operating system's name (uname's sysname)."},
    {"SOFTWARE-VERSION", "CL", cl_software_version, 0, 0, "", "The operating system's release (uname's release)."},
    {"SHORT-SITE-NAME", "CL", cl_site_name, 0, 0, "", "NIL: Petrel knows no site name."},
    {"LONG-SITE-NAME", "CL", cl_site_name, 0, 0, "", "NIL: Petrel knows no site name."},
    {"GET-UNIVERSAL-TIME", "CL", cl_get_universal_time, 0, 0, "",
     "The current time as a universal time (seconds since 1900-01-01 00:00 GMT)."},
    {"GET-INTERNAL-REAL-TIME", "CL", cl_get_internal_real_time, 0, 0, "",
     "Elapsed real time in microseconds from an arbitrary base (a monotonic clock)."},
    {"GET-INTERNAL-RUN-TIME", "CL", cl_get_internal_run_time, 0, 0, "",
     "CPU time (user + system, all threads) used by Petrel so far, in microseconds."},
    {"%CPU-TIMES", "SYS", sys_cpu_times, 0, 0, "", "User and system CPU microseconds (two values)."},
    {"%LOCAL-TIME-OFFSET", "SYS", sys_local_time_offset, 1, 1, "universal-time",
     "Local offset east of Greenwich in seconds at that instant, and whether daylight saving applies."},
    {"%FUNCTION-DOCUMENTATION", "SYS", sys_function_documentation, 1, 1, "function", "FUNCTION's docstring or NIL."},
    {"%SET-FUNCTION-DOCUMENTATION", "SYS", sys_set_function_documentation, 2, 2, "function doc",
     "Sets FUNCTION's docstring (shared by closures of the same lambda)."},
    {"%FUNCTION-LAMBDA-LIST", "SYS", sys_function_lambda_list, 1, 1, "function",
     "FUNCTION's lambda list (a string for a builtin) and T, or NIL NIL."},
    {"%RUN-PROGRAM", "SYS", sys_run_program, 2, 2, "program args",
     "Runs PROGRAM (found in PATH) with the string list ARGS, waits, and returns its exit status."},
    {0},
};
