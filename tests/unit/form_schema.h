/* A schema in the shape docs_schema gives (schema13.md), written by hand
 * for the forms' tests and fuzzer: every kind a form shows, a list in a
 * list, a group in a list, a hidden group. */
#ifndef KENES_TEST_FORM_SCHEMA_H
#define KENES_TEST_FORM_SCHEMA_H

#define L(x) "{\"ru\":\"" x " ru\",\"kk\":\"" x " kk\",\"en\":\"" x " en\"}"

static const char schema_text[] =
    "{\"type\":\"regional-plan\",\"fields\":["
    " {\"name\":\"period\",\"path\":\"fields.period\",\"kind\":\"integer\",\"required\":true,"
    "  \"min\":2026,\"max\":2030,\"label\":" L("Год") ",\"hint\":" L("Подсказка") "},"
    " {\"name\":\"measures\",\"path\":\"fields.measures\",\"kind\":\"list\",\"required\":true,"
    "  \"min_items\":1,\"label\":" L("Меры") ",\"item_label\":" L("Мера") ",\"fields\":["
    "   {\"name\":\"title\",\"path\":\"title\",\"kind\":\"text\",\"required\":true,\"label\":" L("Название") "},"
    "   {\"name\":\"direction\",\"path\":\"direction\",\"kind\":\"enum\",\"required\":true,"
    "    \"label\":" L("Направление") ",\"values\":["
    "     {\"value\":\"safety\",\"label\":" L("Безопасность") "},"
    "     {\"value\":\"health\",\"label\":" L("Здоровье") "}]},"
    "   {\"name\":\"co_executors\",\"path\":\"co_executors\",\"kind\":\"list\",\"of\":\"text\","
    "    \"required\":false,\"label\":" L("Соисполнители") "},"
    "   {\"name\":\"deadline\",\"path\":\"deadline\",\"kind\":\"date_or_quarter\",\"required\":true,\"label\":" L("Срок") "},"
    "   {\"name\":\"funding\",\"path\":\"funding\",\"kind\":\"group\",\"required\":true,"
    "    \"label\":" L("Финансирование") ",\"fields\":["
    "     {\"name\":\"source\",\"path\":\"funding.source\",\"kind\":\"text\",\"required\":true,\"label\":" L("Источник") "},"
    "     {\"name\":\"amount_kzt\",\"path\":\"funding.amount_kzt\",\"kind\":\"integer\",\"required\":true,\"label\":" L("Сумма") "}]},"
    "   {\"name\":\"baseline\",\"path\":\"baseline\",\"kind\":\"number_or_text\",\"required\":true,\"label\":" L("База") "},"
    "   {\"name\":\"share\",\"path\":\"share\",\"kind\":\"number\",\"required\":false,\"label\":" L("Доля") "}]},"
    " {\"name\":\"members\",\"path\":\"fields.members\",\"kind\":\"list\",\"required\":false,"
    "  \"min_items\":2,\"label\":" L("Члены") ",\"fields\":["
    "   {\"name\":\"full_name\",\"path\":\"full_name\",\"kind\":\"text\",\"required\":true,\"label\":" L("ФИО") "}]},"
    " {\"name\":\"local_specifics\",\"path\":\"fields.local_specifics\",\"kind\":\"textarea\","
    "  \"required\":true,\"max_length\":4000,\"label\":" L("Особенности") "},"
    " {\"name\":\"signed\",\"path\":\"fields.signed\",\"kind\":\"boolean\",\"required\":false,\"label\":" L("Подписан") "},"
    " {\"name\":\"act\",\"path\":\"fields.act\",\"kind\":\"group\",\"required\":false,"
    "  \"hidden_in_form\":true,\"label\":" L("Акт") ",\"fields\":["
    "   {\"name\":\"number\",\"path\":\"act.number\",\"kind\":\"text\",\"required\":true,\"label\":" L("Номер") "}]}"
    "]}";

#endif
