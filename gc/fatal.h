/* gc/fatal.h — invariants and fatal errors, shared by every module (gc/ is the
 * lowest module).  PT_ASSERT checks invariants in debug and sanitizer builds;
 * pt_fatal is always on: it prints file:line, the thread and the GC phase,
 * then aborts.  PT_CHECK is for misuse between modules: always on. */
#ifndef PETREL_GC_FATAL_H
#define PETREL_GC_FATAL_H

_Noreturn void pt_fatal_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define pt_fatal(...) pt_fatal_at(__FILE__, __LINE__, __VA_ARGS__)

#ifdef PETREL_DEBUG
#define PT_ASSERT(c) ((c) ? (void)0 : pt_fatal("assertion failed: %s", #c))
#else
#define PT_ASSERT(c) ((void)0)
#endif
#define PT_CHECK(c, ...) ((c) ? (void)0 : pt_fatal(__VA_ARGS__))

#endif
