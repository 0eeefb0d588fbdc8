/* What an attachment is, by its bytes (core/docs/filetype.c): the three
 * types by structure, a declared type against the bytes, and the names a
 * file may have. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "docs/filetype.h"

static const char pdf[] = "%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n";
static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                    'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0,
                                    0, 0x3a, 0x7e, 0x9b, 0x55, 0, 0, 0, 0, 'I', 'E', 'N', 'D'};
static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 0xFF,
                                     0xD9};

#define U(s) ((const unsigned char *)(s))

static void sniffs_each_type(void **state)
{
    (void)state;
    assert_int_equal(filetype_sniff(U(pdf), strlen(pdf)), FILETYPE_PDF);
    assert_int_equal(filetype_sniff(png, sizeof(png)), FILETYPE_PNG);
    assert_int_equal(filetype_sniff(jpeg, sizeof(jpeg)), FILETYPE_JPEG);
    /* trailing CRLF and padding after %%EOF are a PDF still */
    assert_int_equal(filetype_sniff(U("%PDF-1.4 x %%EOF\r\n  "), 20), FILETYPE_PDF);
}

static void refuses_what_is_not(void **state)
{
    (void)state;
    /* a PDF without its end, cut short, or nothing after the header */
    assert_int_equal(filetype_sniff(U("%PDF-1.4\nno end"), 15), FILETYPE_NONE);
    assert_int_equal(filetype_sniff(U("%PDF-%%EOF"), 10), FILETYPE_NONE);
    /* a PNG signature without IHDR first */
    unsigned char bad[sizeof(png)];
    memcpy(bad, png, sizeof(png));
    bad[12] = 'X';
    assert_int_equal(filetype_sniff(bad, sizeof(bad)), FILETYPE_NONE);
    assert_int_equal(filetype_sniff(png, 20), FILETYPE_NONE);
    /* a JPEG without its end marker */
    assert_int_equal(filetype_sniff(jpeg, sizeof(jpeg) - 1), FILETYPE_NONE);
    assert_int_equal(filetype_sniff(U("GIF89a......"), 12), FILETYPE_NONE);
    assert_int_equal(filetype_sniff(NULL, 0), FILETYPE_NONE);
    assert_int_equal(filetype_sniff(U(""), 0), FILETYPE_NONE);
}

static void declared_against_bytes(void **state)
{
    (void)state;
    assert_null(filetype_refusal("application/pdf", U(pdf), strlen(pdf)));
    assert_null(filetype_refusal("Application/PDF; charset=binary", U(pdf), strlen(pdf)));
    assert_null(filetype_refusal("image/png", png, sizeof(png)));
    assert_null(filetype_refusal("image/jpeg", jpeg, sizeof(jpeg)));
    assert_string_equal(filetype_refusal("application/pdf", U(""), 0), "attachment_empty");
    assert_string_equal(filetype_refusal("text/plain", U("hi"), 2), "attachment_type");
    assert_string_equal(filetype_refusal(NULL, U(pdf), strlen(pdf)), "attachment_type");
    assert_string_equal(filetype_refusal("image/jpg", jpeg, sizeof(jpeg)), "attachment_type");
    assert_string_equal(filetype_refusal("application/pdfx", U(pdf), strlen(pdf)),
                        "attachment_type");
    assert_string_equal(filetype_refusal("application/pdf", png, sizeof(png)),
                        "attachment_mismatch");
    assert_string_equal(filetype_refusal("image/png", jpeg, sizeof(jpeg)), "attachment_mismatch");
    assert_string_equal(filetype_media(filetype_of_media(" image/png")), "image/png");
    assert_null(filetype_media(FILETYPE_NONE));
}

static void names(void **state)
{
    (void)state;
    const char *good[] = {"скан.pdf", "Постановление №12 от 05.02.2026.pdf", "a", "a b.png",
                          "..pdf"};
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        assert_true(filetype_name_ok(good[i], strlen(good[i])));
    const char *bad[] = {"", ".", "..", "a/b.pdf", "a\\b.pdf", "a\nb", "a\tb", "a\x7f",
                         "\xC2\x85name", "\xff\xfe.pdf"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_false(filetype_name_ok(bad[i], strlen(bad[i])));
    char long_name[FILETYPE_NAME_MAX + 2];
    memset(long_name, 'x', sizeof(long_name));
    assert_true(filetype_name_ok(long_name, FILETYPE_NAME_MAX));
    assert_false(filetype_name_ok(long_name, FILETYPE_NAME_MAX + 1));
    assert_false(filetype_name_ok(NULL, 0));
    assert_false(filetype_name_ok("a\0b", 3));
}

/* The characters a name shows nothing of, or that turn what follows
 * around (probe 15, finding 14): bidi embeddings, overrides and isolates,
 * the direction marks, zero-width characters, the line and paragraph
 * separators, and the rest of Unicode's format characters (the meetings'
 * invisible_char rule) and default-ignorables.  Names in any script stay. */
static void invisible_names(void **state)
{
    (void)state;
    const char *hidden[] = {
        "scan\u202Efdp.exe", "a\u202Ab.pdf", "a\u202Bb.pdf", "a\u202Cb.pdf", "a\u202Db.pdf",
        "a\u2066b.pdf", "a\u2067b.pdf", "a\u2068b.pdf", "a\u2069b.pdf", "\u200Ea.pdf",
        "\u200Fa.pdf", "a\u200Bb.pdf", "a\u200Cb.pdf", "a\u200Db.pdf", "a\u2060b.pdf",
        "\uFEFFa.pdf", "\u2028line.pdf", "a\u2029b.pdf", "a\u00ADb.pdf", "a\u061Cb.pdf",
        "a\u180Eb.pdf", "a\uFE0Fb.pdf", "a\u3164b.pdf", "a\U000E0041b.pdf", "a\xC2\x85" "b.pdf"};
    for (size_t i = 0; i < sizeof(hidden) / sizeof(*hidden); i++) {
        assert_true(filetype_invisible(hidden[i], strlen(hidden[i])));
        assert_false(filetype_name_ok(hidden[i], strlen(hidden[i])));
    }
    const char *shown[] = {"Приказ.pdf", "Әкімдік қаулысы №5.pdf", "صورة.png", "שלום.jpg",
                           "a\u00A0b.pdf", "日本語.pdf", "ӘҒҚҢӨҰҮҺІ әғқңөұүһі.pdf"};
    for (size_t i = 0; i < sizeof(shown) / sizeof(*shown); i++) {
        assert_false(filetype_invisible(shown[i], strlen(shown[i])));
        assert_true(filetype_name_ok(shown[i], strlen(shown[i])));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sniffs_each_type),
        cmocka_unit_test(refuses_what_is_not),
        cmocka_unit_test(declared_against_bytes),
        cmocka_unit_test(names),
        cmocka_unit_test(invisible_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
