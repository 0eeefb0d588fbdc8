/* publish/csv.c, publish/table.c, http/query.c: an export's CSV fields
 * (quoting, the formula rule, the BOM and CRLF), a table's bounds, and the
 * Content-Disposition of its file (ASCII fallback and RFC 5987 filename*). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <unistd.h>
#include <zip.h>

#include "base/error.h"
#include "http/http.h"
#include "publish/table.h"

/* One field as xtable_csv writes it, into a new string. */
static char *field(const char *value, xcol_kind kind)
{
    util_buf b;
    util_buf_init(&b);
    assert_int_equal(xtable_csv_field(&b, value, kind), 0);
    return util_buf_detach(&b, NULL);
}

static void check_field(const char *value, xcol_kind kind, const char *want)
{
    char *got = field(value, kind);
    assert_string_equal(got, want);
    free(got);
}

static void fields_are_quoted_and_quotes_doubled(void **state)
{
    (void)state;
    check_field("Школьные психологи", XCOL_TEXT, "\"Школьные психологи\"");
    check_field("ГУ \"Отдел\", г. Кокшетау", XCOL_TEXT, "\"ГУ \"\"Отдел\"\", г. Кокшетау\"");
    check_field("две\r\nстроки", XCOL_TEXT, "\"две\r\nстроки\"");
    check_field("", XCOL_TEXT, "\"\"");
    check_field(NULL, XCOL_TEXT, "\"\"");
}

static void a_formula_is_made_text(void **state)
{
    (void)state;
    check_field("=1+1", XCOL_TEXT, "\"'=1+1\"");
    check_field("+7 701 000 00 00", XCOL_TEXT, "\"'+7 701 000 00 00\"");
    check_field("-1 семья", XCOL_TEXT, "\"'-1 семья\"");
    check_field("@SUM(A1)", XCOL_TEXT, "\"'@SUM(A1)\"");
    check_field("\t=cmd", XCOL_TEXT, "\"'\t=cmd\"");
    check_field("\r=cmd", XCOL_TEXT, "\"'\r=cmd\"");
    check_field("=HYPERLINK(\"http://x\")", XCOL_TEXT, "\"'=HYPERLINK(\"\"http://x\"\")\"");
    /* Not at the start: nothing to run. */
    check_field("a=b", XCOL_TEXT, "\"a=b\"");
    /* A number column's negative figure is a figure; its text is text. */
    check_field("-5", XCOL_NUMBER, "\"-5\"");
    check_field("-2.5", XCOL_NUMBER, "\"-2.5\"");
    check_field("-5 и больше", XCOL_NUMBER, "\"'-5 и больше\"");
    check_field("=5", XCOL_NUMBER, "\"'=5\"");
    check_field("-5", XCOL_TEXT, "\"'-5\"");
}

static void a_table_has_a_bom_and_crlf(void **state)
{
    (void)state;
    xtable *t;
    assert_int_equal(xtable_new(&t, "Меры", 2), 0);
    assert_int_equal(xtable_column(t, 0, "Регион", XCOL_TEXT), 0);
    assert_int_equal(xtable_column(t, 1, "Сумма", XCOL_NUMBER), 0);
    assert_int_equal(xtable_add_row(t), 0);
    assert_int_equal(xtable_set(t, 0, "Ақмола облысы"), 0);
    assert_int_equal(xtable_setf(t, 1, "%d", 12500000), 0);
    assert_int_equal(xtable_add_row(t), 0); /* an empty row stays a row */
    char *csv;
    size_t len;
    assert_int_equal(xtable_csv(&csv, &len, t), 0);
    const char want[] = "\xEF\xBB\xBF\"Регион\",\"Сумма\"\r\n\"Ақмола облысы\",\"12500000\"\r\n"
                        "\"\",\"\"\r\n";
    assert_int_equal(len, sizeof(want) - 1);
    assert_memory_equal(csv, want, len);
    free(csv);
    xtable_free(t);
}

static void a_table_is_bounded(void **state)
{
    (void)state;
    xtable *t;
    assert_int_equal(xtable_new(&t, "x", 1), 0);
    for (int i = 0; i < XTABLE_MAX_ROWS; i++)
        assert_int_equal(xtable_add_row(t), 0);
    assert_int_equal(xtable_add_row(t), KENES_ETOOBIG);
    /* A cell past the bound is cut at a whole character. */
    size_t n = XTABLE_MAX_CELL + 1;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i += 2)
        memcpy(big + i, "\xD0\xAF", 2); /* «Я» */
    big[n] = '\0';
    big[n - 1] = 'x';
    assert_int_equal(xtable_set(t, 0, big), 0);
    const char *cell = xtable_cell(t, t->nrows - 1, 0);
    assert_true(strlen(cell) <= XTABLE_MAX_CELL);
    assert_int_equal(strlen(cell) % 2, 0);
    free(big);
    xtable_free(t);
}

/* How many entries a folder holds (its temporary files). */
static int entries(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Entry name of the zip in data, NUL-terminated (malloc'd), or NULL. */
static char *unzip(const char *data, size_t len, const char *name)
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &err);
    zip_t *z = src ? zip_open_from_source(src, ZIP_RDONLY, &err) : NULL;
    zip_stat_t st;
    char *out = NULL;
    if (z && zip_stat(z, name, 0, &st) == 0 && (out = calloc(1, st.size + 1))) {
        zip_file_t *f = zip_fopen(z, name, 0);
        if (!f || zip_fread(f, out, st.size) != (zip_int64_t)st.size) {
            free(out);
            out = NULL;
        }
        if (f)
            zip_fclose(f);
    }
    if (z)
        zip_close(z);
    else if (src)
        zip_source_free(src);
    zip_error_fini(&err);
    return out;
}

static void a_workbook_is_written_and_its_file_removed(void **state)
{
    (void)state;
    char dir[] = "/tmp/kenes-test-xlsx-XXXXXX";
    assert_non_null(mkdtemp(dir));
    xtable *t;
    assert_int_equal(xtable_new(&t, "Меры: [планы]/2026?", 3), 0);
    assert_int_equal(xtable_column(t, 0, "Наименование меры", XCOL_TEXT), 0);
    assert_int_equal(xtable_column(t, 1, "Срок", XCOL_DATE), 0);
    assert_int_equal(xtable_column(t, 2, "Сумма", XCOL_NUMBER), 0);
    assert_int_equal(xtable_add_row(t), 0);
    assert_int_equal(xtable_set(t, 0, "=1+1"), 0);
    assert_int_equal(xtable_set(t, 1, "2026-09-01"), 0);
    assert_int_equal(xtable_set(t, 2, "12500000"), 0);
    assert_int_equal(xtable_add_row(t), 0);
    assert_int_equal(xtable_set(t, 1, "3-й квартал 2026 г."), 0); /* not a date: text */
    char *x;
    size_t len;
    assert_int_equal(xtable_xlsx(&x, &len, t, dir), 0);
    assert_int_equal(entries(dir), 0); /* the temporary file is gone */
    char *sheet = unzip(x, len, "xl/worksheets/sheet1.xml");
    char *book = unzip(x, len, "xl/workbook.xml");
    char *strings = unzip(x, len, "xl/sharedStrings.xml");
    assert_non_null(sheet);
    assert_non_null(book);
    assert_non_null(strings);
    assert_non_null(strstr(sheet, "state=\"frozen\""));
    assert_non_null(strstr(sheet, "<v>46266</v>"));    /* 2026-09-01, a date serial */
    assert_non_null(strstr(sheet, "<v>12500000</v>")); /* a number */
    assert_null(strstr(sheet, "<f>"));                  /* "=1+1" is a string, no formula */
    assert_non_null(strstr(strings, "<t>=1+1</t>"));
    assert_non_null(strstr(strings, "3-й квартал 2026 г."));
    assert_non_null(strstr(book, "name=\"Меры_ _планы__2026_\"")); /* Excel's sheet-name rule */
    free(sheet);
    free(book);
    free(strings);
    free(x);
    /* A folder that cannot take the file: an error, nothing left behind. */
    char missing[64];
    snprintf(missing, sizeof(missing), "%s/none", dir);
    assert_true(xtable_xlsx(&x, &len, t, missing) < 0);
    assert_null(x);
    assert_int_equal(entries(dir), 0);
    xtable_free(t);
    rmdir(dir);
}

static char *disposition(const char *ascii, const char *name)
{
    util_buf b;
    util_buf_init(&b);
    assert_int_equal(http_content_disposition_as(&b, ascii, name), 0);
    return util_buf_detach(&b, NULL);
}

static void a_file_name_has_an_ascii_fallback_and_filename_star(void **state)
{
    (void)state;
    char *h = disposition("kenes-plans-KZ-11-2026-03-02.csv",
                          "Меры региональных планов KZ-11 2026-03-02.csv");
    assert_string_equal(h, "Content-Disposition: attachment; "
                           "filename=\"kenes-plans-KZ-11-2026-03-02.csv\"; filename*=UTF-8''"
                           "%D0%9C%D0%B5%D1%80%D1%8B%20%D1%80%D0%B5%D0%B3%D0%B8%D0%BE%D0%BD"
                           "%D0%B0%D0%BB%D1%8C%D0%BD%D1%8B%D1%85%20%D0%BF%D0%BB%D0%B0%D0%BD"
                           "%D0%BE%D0%B2%20KZ-11%202026-03-02.csv\r\n");
    free(h);
    /* A fallback that is not clean ASCII is cleaned; the name's quotes,
     * percent and line breaks are encoded, never passed through. */
    h = disposition("a\"b\\c%d\r\n.csv", "x\"y%\r\nz.csv");
    assert_string_equal(h, "Content-Disposition: attachment; filename=\"a_b_c_d__.csv\"; "
                           "filename*=UTF-8''x%22y%25%0D%0Az.csv\r\n");
    free(h);
    /* Without one, the fallback is made from the name: one '_' a character. */
    h = disposition(NULL, "Қазақша.csv");
    assert_string_equal(h, "Content-Disposition: attachment; filename=\"_______.csv\"; "
                           "filename*=UTF-8''%D2%9A%D0%B0%D0%B7%D0%B0%D2%9B%D1%88%D0%B0.csv\r\n");
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_are_quoted_and_quotes_doubled),
        cmocka_unit_test(a_formula_is_made_text),
        cmocka_unit_test(a_table_has_a_bom_and_crlf),
        cmocka_unit_test(a_table_is_bounded),
        cmocka_unit_test(a_workbook_is_written_and_its_file_removed),
        cmocka_unit_test(a_file_name_has_an_ascii_fallback_and_filename_star),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
