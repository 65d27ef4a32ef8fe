/* ffi/library.c — foreign libraries: dlopen/dlclose and symbol lookup.
 * The handles of the libraries loaded and not yet closed are kept in a
 * registry (guarded by libs_lock; never held while allocating, signalling
 * or blocking other than on the lock itself) so that a symbol is found in
 * any of them; RTLD_DEFAULT (the program and its libraries, and everything
 * loaded RTLD_GLOBAL) is searched first.  The Lisp side (ffi.lisp) wraps a
 * handle in a FOREIGN-LIBRARY structure.  dlopen runs in a safe region:
 * loading may take long (I/O, constructors).  Handles do not survive a
 * saved core (the registry is C state); load the library again. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1  /* RTLD_DEFAULT */
#endif
#include "ffi/ffi_impl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t libs_lock = PTHREAD_MUTEX_INITIALIZER;
static void **libs;        /* guarded by libs_lock: open handles */
static size_t nlibs, libs_cap; /* guarded by libs_lock */

static bool registry_add(ThContext *tc, void *h) {
    th_mutex_lock(tc, &libs_lock);
    if (nlibs == libs_cap) {
        size_t cap = libs_cap ? libs_cap * 2 : 16;
        void **n = realloc(libs, cap * sizeof *n);
        if (!n) {
            pthread_mutex_unlock(&libs_lock);
            return false;
        }
        libs = n;
        libs_cap = cap;
    }
    libs[nlibs++] = h;
    pthread_mutex_unlock(&libs_lock);
    return true;
}

static bool registry_remove(ThContext *tc, void *h) {
    bool found = false;
    th_mutex_lock(tc, &libs_lock);
    for (size_t i = nlibs; i-- > 0;)
        if (libs[i] == h) {
            libs[i] = libs[--nlibs];
            found = true;
            break;
        }
    pthread_mutex_unlock(&libs_lock);
    return found;
}

void *ffi_find_symbol(ThContext *tc, const char *name) {
    void *p = dlsym(RTLD_DEFAULT, name);
    if (p) return p;
    th_mutex_lock(tc, &libs_lock);
    for (size_t i = nlibs; i-- > 0 && !p;) p = dlsym(libs[i], name);
    pthread_mutex_unlock(&libs_lock);
    return p;
}

/* A C copy of a Lisp string argument, or an error naming op. */
static void c_name(ThContext *tc, const char *op, LispObj x, char *buf, size_t cap) {
    LispObj s = ffi_arg_string(tc, x);
    if (str_to_utf8(s, buf, cap) >= cap) ffi_error(tc, "%s: name too long: %v", op, x);
}

static LispObj fli_dlopen(ThContext *tc, size_t nargs, LispObj *args) {
    char path[4096], err[1024] = "";
    c_name(tc, "LOAD-FOREIGN-LIBRARY", args[0], path, sizeof path);
    th_enter_safe(tc);
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, sizeof err, "%s", e ? e : "unknown error");
    }
    th_leave_safe(tc);
    if (!h)
        cond_error_of_type(tc, S(FFI_LOAD_FOREIGN_LIBRARY_ERROR),
                           "LOAD-FOREIGN-LIBRARY: cannot load the foreign library %v: %s", args[0], err);
    if (!registry_add(tc, h)) {
        dlclose(h);
        cond_storage_condition(tc, "LOAD-FOREIGN-LIBRARY: out of memory");
    }
    return ffi_pointer_make(tc, h);
}

static LispObj fli_dlclose(ThContext *tc, size_t nargs, LispObj *args) {
    void *h = ffi_arg_pointer(tc, args[0]);
    if (!registry_remove(tc, h)) ffi_error(tc, "CLOSE-FOREIGN-LIBRARY: %v is not an open library", args[0]);
    if (dlclose(h) != 0) {
        const char *e = dlerror();
        ffi_error(tc, "CLOSE-FOREIGN-LIBRARY: dlclose: %s", e ? e : "unknown error");
    }
    return T;
}

/* (%foreign-symbol-pointer name handle-or-nil) → pointer or NIL */
static LispObj fli_foreign_symbol_pointer(ThContext *tc, size_t nargs, LispObj *args) {
    char name[1024];
    c_name(tc, "FOREIGN-SYMBOL-POINTER", args[0], name, sizeof name);
    void *p = args[1] == NIL ? ffi_find_symbol(tc, name) : dlsym(ffi_arg_pointer(tc, args[1]), name);
    return p ? ffi_pointer_make(tc, p) : NIL;
}

const BuiltinSpec ffi_builtins_library[] = {
    {"%DLOPEN", "SYS", fli_dlopen, 1, 1, "path", "dlopen: the handle, or LOAD-FOREIGN-LIBRARY-ERROR."},
    {"%DLCLOSE", "SYS", fli_dlclose, 1, 1, "handle", "dlclose."},
    {"%FOREIGN-SYMBOL-POINTER", "SYS", fli_foreign_symbol_pointer, 2, 2, "name handle",
     "The address of NAME in HANDLE's library, or in any (HANDLE NIL); NIL if none."},
    {0},
};
