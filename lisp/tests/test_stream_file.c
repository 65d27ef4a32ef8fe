/* lisp/tests/test_stream_file.c — file streams (stream_file.c) and the file
 * primitives (builtins_files.c): OPEN's :if-exists / :if-does-not-exist
 * plans, binary elements of several widths, malformed UTF-8, positions,
 * CLOSE :abort, :io streams, file-error contents, and that closing releases
 * the descriptor.  Files live in a fresh directory under /tmp. */
#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lisp/tests/lisp_test.h"
#include "lisp/stream_impl.h"

static char dir[64];
static size_t mark;

static void setup(void) {
    mark = tc->bind_top;
    sym_bind(tc, S(STAR_PACKAGE), pkg_cl_user);
    snprintf(dir, sizeof dir, "/tmp/petrel-tsf-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    sym_unbind_to(tc, mark);
}

static const char *path(const char *name) {
    static char ring[4][256];
    static int next;
    char *p = ring[next++ % 4];
    snprintf(p, sizeof ring[0], "%s/%s", dir, name);
    return p;
}

static LispObj kw(const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

static LispObj ub(int n) {
    return lisp_list(tc, 2, pkg_intern_cstr(tc, "UNSIGNED-BYTE", pkg_common_lisp), fx_make(n));
}

static LispObj sb(int n) {
    return lisp_list(tc, 2, pkg_intern_cstr(tc, "SIGNED-BYTE", pkg_common_lisp), fx_make(n));
}

static LispObj open_(const char *p, const char *dir_, LispObj type, const char *if_exists, const char *if_dne) {
    return stm_open_file(tc, p, NIL, kw(dir_), type, if_exists ? kw(if_exists) : NIL,
                         if_dne ? kw(if_dne) : NIL, kw("DEFAULT"));
}

static void write_file(const char *p, const char *bytes, size_t n) {
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(bytes, 1, n, f);
    fclose(f);
}

static size_t read_file(const char *p, char *buf, size_t cap) {
    FILE *f = fopen(p, "rb");
    if (!f) return (size_t)-1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static int open_fds(void) {
    int n = 0;
    for (int fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1) n++;
    return n;
}

START_TEST(if_exists_plans) {
    char buf[64];
    write_file(path("a"), "old", 3);
    ck_assert(open_(path("a"), "OUTPUT", S(CHARACTER), NULL, "CREATE") == NIL);  /* :if-exists nil */
    LispObj s = open_(path("a"), "OUTPUT", S(CHARACTER), "APPEND", "ERROR");
    stm_write_cstr(tc, s, "+");
    stm_close(tc, s, false);
    ck_assert_uint_eq(read_file(path("a"), buf, sizeof buf), 4);
    ck_assert(memcmp(buf, "old+", 4) == 0);
    s = open_(path("a"), "OUTPUT", S(CHARACTER), "RENAME", "CREATE");
    stm_write_cstr(tc, s, "n");
    stm_close(tc, s, false);
    ck_assert_uint_eq(read_file(path("a.bak"), buf, sizeof buf), 4);
    ck_assert_uint_eq(read_file(path("a"), buf, sizeof buf), 1);
    ck_assert(open_(path("none"), "INPUT", S(CHARACTER), NULL, NULL) == NIL);
    s = open_(path("new"), "OUTPUT", S(CHARACTER), "ERROR", "CREATE");
    ck_assert(STM(s)->bits & STMB_CREATED);
    stm_close(tc, s, true);  /* abort: the created file goes */
    ck_assert_uint_eq(read_file(path("new"), buf, sizeof buf), (size_t)-1);
}
END_TEST

static LispObj open_missing(ThContext *t, void *data) {
    (void)t;
    return open_((const char *)data, "INPUT", S(CHARACTER), NULL, "ERROR");
}

START_TEST(file_error_names_path_and_reason) {
    LispObj result, condition;
    ck_assert(!vm_call_protected(tc, open_missing, (void *)path("missing.txt"), &result, &condition));
    ck_assert(cond_typep(condition, S(FILE_ERROR)));
    const char *msg = report(condition);
    ck_assert_msg(strstr(msg, "missing.txt") && strstr(msg, "No such file or directory"), "%s", msg);
}
END_TEST

START_TEST(binary_widths) {
    LispObj types[] = {ub(8), ub(16), ub(24), ub(56), sb(8), sb(32), sb(64)};
    int64_t values[] = {255, 65535, 0x123456, (INT64_C(1) << 56) - 1, -128, -2, FIXNUM_MIN};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        LispObj s = open_(path("b"), "OUTPUT", types[i], "SUPERSEDE", "CREATE");
        stm_write_byte(tc, s, fx_make(values[i]));
        stm_write_byte(tc, s, fx_make(1));
        stm_close(tc, s, false);
        s = open_(path("b"), "INPUT", types[i], NULL, "ERROR");
        ck_assert_int_eq(stm_file_length(tc, s), 2);
        LispObj v;
        ck_assert(stm_read_byte(tc, s, &v));
        ck_assert_msg(fx_value(v) == values[i], "width %zu: got %lld", i, (long long)fx_value(v));
        ck_assert_int_eq(stm_file_position(tc, s), 1);
        ck_assert(stm_read_byte(tc, s, &v) && fx_value(v) == 1);
        ck_assert(!stm_read_byte(tc, s, &v));
        stm_close(tc, s, false);
    }
}
END_TEST

START_TEST(malformed_utf8_and_positions) {
    write_file(path("u"), "a\xff\xc3(\xe2\x82\xac\n", 8);
    LispObj s = open_(path("u"), "INPUT", S(CHARACTER), NULL, "ERROR");
    int32_t want[] = {'a', 0xFFFD, 0xFFFD, '(', 0x20AC, '\n', -1};
    for (size_t i = 0; i < 7; i++) ck_assert_int_eq(stm_read_char(tc, s), want[i]);
    ck_assert(stm_set_file_position(tc, s, 4));
    ck_assert_int_eq(stm_read_char(tc, s), 0x20AC);
    stm_unread_char(tc, s, 0x20AC);
    ck_assert_int_eq(stm_file_position(tc, s), 4);  /* the unread character counts */
    stm_close(tc, s, false);
}
END_TEST

START_TEST(io_stream_reads_its_writes) {
    LispObj s = open_(path("io"), "IO", S(CHARACTER), "SUPERSEDE", "CREATE");
    ck_assert(stm_input_p(s) && stm_output_p(s));
    stm_write_cstr(tc, s, "hello");
    ck_assert(stm_set_file_position(tc, s, 1));
    ck_assert_int_eq(stm_read_char(tc, s), 'e');
    stm_write_cstr(tc, s, "L");
    ck_assert(stm_set_file_position(tc, s, 0));
    bool missing;
    LispObj line = stm_read_line(tc, s, &missing);
    ck_assert(missing);
    ck_assert_uint_eq(str_length(line), 5);
    ck_assert_uint_eq(STR(line)->chars[2], 'L');
    stm_close(tc, s, false);
}
END_TEST

START_TEST(close_releases_descriptors) {
    write_file(path("f"), "x", 1);
    int before = open_fds();
    for (int i = 0; i < 5000; i++) {
        LispObj s = open_(path("f"), "INPUT", S(CHARACTER), NULL, "ERROR");
        stm_close(tc, s, false);
        stm_close(tc, s, false);  /* a second close does nothing */
    }
    ck_assert_int_eq(open_fds(), before);
}
END_TEST

START_TEST(file_functions_through_lisp) {
    char src[1024];
    snprintf(src, sizeof src,
             "(list (nth-value 1 (ensure-directories-exist \"%s/d/e/\"))"
             " (with-open-file (s \"%s/d/e/f.txt\" :direction :output) (write-string \"x\" s) (file-length s))"
             " (mapcar #'file-namestring (directory \"%s/d/**/*.txt\"))"
             " (file-namestring (nth-value 2 (rename-file \"%s/d/e/f.txt\" \"g\")))"
             " (delete-file \"%s/d/e/g.txt\") (probe-file \"%s/d/e/g.txt\"))",
             dir, dir, dir, dir, dir, dir);
    LtCase cases[] = {{src, "(T 1 (\"f.txt\") \"g.txt\" T NIL)"}};
    failures = 0;
    lt_run_cases(cases, 1);
    ck_assert_msg(failures == 0, "%s", first_failure);
}
END_TEST

static Suite *stream_file_suite(void) {
    Suite *s = suite_create("stream_file");
    TCase *t = tcase_create("stream_file");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, if_exists_plans);
    tcase_add_test(t, file_error_names_path_and_reason);
    tcase_add_test(t, binary_widths);
    tcase_add_test(t, malformed_utf8_and_positions);
    tcase_add_test(t, io_stream_reads_its_writes);
    tcase_add_test(t, close_releases_descriptors);
    tcase_add_test(t, file_functions_through_lisp);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lt_run_suite(stream_file_suite, false); }
