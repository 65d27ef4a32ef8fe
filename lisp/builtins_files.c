/* lisp/builtins_files.c — the system side of CLHS 20 (Files) and of OPEN:
 * primitives in PETREL-SYSTEM that take native namestrings (strings), do
 * one system call each and turn its failure into a file-error carrying the
 * pathname and the system's message (strerror).  src/pathnames.lisp and
 * src/streams.lisp build the CL functions on them (pathname designators,
 * merging with *default-pathname-defaults*, wildcards).
 * No state of its own; any thread. */
#include "lisp/builtins_impl.h"
#include "lisp/stream_impl.h"
#include "lisp/fasl_impl.h"
#include "lisp/vm_impl.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PATH_CAP = 4096 };

/* The namestring argument as a C path. */
static void c_path(ThContext *tc, LispObj x, char *buf, const char *op) {
    LispObj s = arg_string(tc, x);
    if (str_to_utf8(s, buf, PATH_CAP) >= PATH_CAP) cond_error_of_type(tc, S(FILE_ERROR), "%s: path too long", op);
}

/* (%open namestring pathname direction element-type if-exists if-does-not-exist external-format) */
static LispObj sys_open(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP];
    c_path(tc, args[0], path, "OPEN");
    return stm_open_file(tc, path, args[1], args[2], args[3], args[4], args[5], args[6]);
}

/* (%file-kind namestring) → :FILE, :DIRECTORY, :OTHER, or NIL if nothing is there
 * (following symbolic links; a dangling link is :FILE). */
static LispObj sys_file_kind(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP];
    c_path(tc, args[0], path, "PROBE-FILE");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            if (lstat(path, &sb) == 0) return pkg_intern_cstr(tc, "FILE", pkg_keyword);
            return NIL;
        }
        stm_file_error(tc, nargs > 1 ? args[1] : NIL, "PROBE-FILE", "cannot examine", path, errno);
    }
    const char *k = S_ISDIR(sb.st_mode) ? "DIRECTORY" : S_ISREG(sb.st_mode) ? "FILE" : "OTHER";
    return pkg_intern_cstr(tc, k, pkg_keyword);
}

/* (%realpath namestring pathname) → the resolved absolute path, or NIL if there is no such file. */
static LispObj sys_realpath(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP], real[PATH_MAX];
    c_path(tc, args[0], path, "TRUENAME");
    if (!realpath(path, real)) {
        if (errno == ENOENT || errno == ENOTDIR) return NIL;
        stm_file_error(tc, args[1], "TRUENAME", "cannot resolve", path, errno);
    }
    return str_from_cstr(tc, real);
}

/* (%delete-file namestring pathname) → T */
static LispObj sys_delete_file(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP];
    c_path(tc, args[0], path, "DELETE-FILE");
    struct stat sb;
    int rc = (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) ? rmdir(path) : unlink(path);
    if (rc != 0) stm_file_error(tc, args[1], "DELETE-FILE", "cannot delete", path, errno);
    return T;
}

/* (%rename-file old new pathname) → T */
static LispObj sys_rename_file(ThContext *tc, size_t nargs, LispObj *args) {
    char from[PATH_CAP], to[PATH_CAP];
    c_path(tc, args[0], from, "RENAME-FILE");
    c_path(tc, args[1], to, "RENAME-FILE");
    if (rename(from, to) != 0) stm_file_error(tc, args[2], "RENAME-FILE", "cannot rename", from, errno);
    return T;
}

/* Seconds from 1900-01-01 to 1970-01-01 (CLHS 25.1.4.2 universal time). */
#define UNIX_TO_UNIVERSAL INT64_C(2208988800)

/* (%file-write-date namestring pathname) → universal time */
static LispObj sys_file_write_date(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP];
    c_path(tc, args[0], path, "FILE-WRITE-DATE");
    struct stat sb;
    if (stat(path, &sb) != 0) stm_file_error(tc, args[1], "FILE-WRITE-DATE", "cannot examine", path, errno);
    return num_from_int64(tc, (int64_t)sb.st_mtime + UNIX_TO_UNIVERSAL);
}

/* (%file-author namestring pathname) → the owner's login name, or NIL if unknown */
static LispObj sys_file_author(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP];
    c_path(tc, args[0], path, "FILE-AUTHOR");
    struct stat sb;
    if (stat(path, &sb) != 0) stm_file_error(tc, args[1], "FILE-AUTHOR", "cannot examine", path, errno);
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(sb.st_uid, &pw, buf, sizeof buf, &res) != 0 || !res) return NIL;
    return str_from_cstr(tc, res->pw_name);
}

/* (%directory-entries namestring) → list of (name . kind) for the entries
 * of a directory except . and ..: kind :DIRECTORY, :LINK (a symbolic link
 * to a directory: DIRECTORY's ** does not descend through those, so a link
 * cycle cannot loop it) or NIL; NIL if the directory cannot be read. */
typedef struct DirScan { const char *path; DIR *d; } DirScan;

static LispObj scan_directory(ThContext *tc, void *data) {
    DirScan *ds = data;
    char full[PATH_CAP * 2];
    LispObj acc = NIL;
    struct dirent *e;
    while ((e = readdir(ds->d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(full, sizeof full, "%s%s", ds->path, e->d_name);
        struct stat sb, lsb;
        bool dirp = stat(full, &sb) == 0 && S_ISDIR(sb.st_mode);
        bool link = dirp && lstat(full, &lsb) == 0 && S_ISLNK(lsb.st_mode);
        LispObj name = str_from_cstr(tc, e->d_name);
        LispObj kind = !dirp ? NIL : pkg_intern_cstr(tc, link ? "LINK" : "DIRECTORY", pkg_keyword);
        acc = lisp_cons(tc, lisp_cons(tc, name, kind), acc);
    }
    return lisp_nreverse(acc);
}

static void close_scan(ThContext *tc, void *data) {
    DirScan *ds = data;
    if (ds->d) closedir(ds->d);
    ds->d = NULL;
}

/* The DIR is closed however the scan ends (an allocation may signal). */
static LispObj sys_directory_entries(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP];
    c_path(tc, args[0], path, "DIRECTORY");
    DirScan ds = {path, opendir(path[0] ? path : ".")};
    if (!ds.d) return NIL;
    return vm_protect_call(tc, scan_directory, &ds, close_scan, &ds);
}

/* (%mkdir namestring pathname) → T if made, NIL if it already existed */
static LispObj sys_mkdir(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP];
    c_path(tc, args[0], path, "ENSURE-DIRECTORIES-EXIST");
    if (mkdir(path, 0777) == 0) return T;
    int err = errno;
    struct stat sb;
    if (err == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) return NIL;
    stm_file_error(tc, args[1], "ENSURE-DIRECTORIES-EXIST", "cannot create directory", path, err);
}

static LispObj sys_getcwd(ThContext *tc, size_t nargs, LispObj *args) {
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf)) return str_from_cstr(tc, "/");
    return str_from_cstr(tc, buf);
}

/* $HOME, else the password database; NIL if neither says. */
static LispObj sys_home_directory(ThContext *tc, size_t nargs, LispObj *args) {
    const char *home = getenv("HOME");
    if (home && *home) return str_from_cstr(tc, home);
    struct passwd pw, *res = NULL;
    char buf[1024];
    if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 && res) return str_from_cstr(tc, res->pw_dir);
    return NIL;
}

/* (%fasl-file-p namestring): does the file start with the FASL header? */
static LispObj sys_fasl_file_p(ThContext *tc, size_t nargs, LispObj *args) {
    char path[PATH_CAP];
    c_path(tc, args[0], path, "LOAD");
    return fasl_file_p(path) ? T : NIL;
}

/* (%file-error pathname format-control &rest args): signals file-error from Lisp code. */
static LispObj sys_file_error(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj plist = lisp_list(tc, 2, pkg_intern_cstr(tc, "PATHNAME", pkg_keyword), args[0]);
    LispObj fargs = lisp_list_from(tc, nargs - 2, args + 2);
    cond_signal_error(tc, condition_make(tc, S(FILE_ERROR), arg_string(tc, args[1]), fargs, plist));
}

LispObj stm_pathname_of(ThContext *tc, LispObj namestring) {
    LispObj fn = sym_function(S(TY_PATHNAME));
    if (fn == LISP_UNBOUND || !function_p(fn)) return namestring;
    return vm_funcall1(tc, fn, namestring);
}

#define R BUILTIN_REST
const BuiltinSpec builtins_files[] = {
    {"%OPEN", "SYS", sys_open, 7, 7, "(namestring pathname direction element-type if-exists if-does-not-exist external-format)", "OPEN's system part."},
    {"%FILE-KIND", "SYS", sys_file_kind, 1, 2, "(namestring &optional pathname)", ":FILE, :DIRECTORY, :OTHER or NIL."},
    {"%REALPATH", "SYS", sys_realpath, 2, 2, "(namestring pathname)", "realpath(3), or NIL if there is no such file."},
    {"%DELETE-FILE", "SYS", sys_delete_file, 2, 2, "(namestring pathname)", NULL},
    {"%RENAME-FILE", "SYS", sys_rename_file, 3, 3, "(old new pathname)", NULL},
    {"%FILE-WRITE-DATE", "SYS", sys_file_write_date, 2, 2, "(namestring pathname)", NULL},
    {"%FILE-AUTHOR", "SYS", sys_file_author, 2, 2, "(namestring pathname)", NULL},
    {"%DIRECTORY-ENTRIES", "SYS", sys_directory_entries, 1, 1, "(directory-namestring)", "((name . :directory|:link|nil) ...)"},
    {"%MKDIR", "SYS", sys_mkdir, 2, 2, "(namestring pathname)", "T if made, NIL if it existed."},
    {"%GETCWD", "SYS", sys_getcwd, 0, 0, "()", NULL},
    {"%HOME-DIRECTORY", "SYS", sys_home_directory, 0, 0, "()", NULL},
    {"%FASL-FILE-P", "SYS", sys_fasl_file_p, 1, 1, "(namestring)", "True if the file is a FASL (by its header)."},
    {"%FILE-ERROR", "SYS", sys_file_error, 2, R, "(pathname control &rest args)", "Signals FILE-ERROR."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL},
};
#undef R
