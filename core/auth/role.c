#include "auth/role.h"

#include <string.h>

static const struct {
    enum role role;
    const char *name;
} roles[] = {
    {ROLE_OFFICIAL, "regional-official"}, {ROLE_REVIEWER, "ministry-reviewer"},
    {ROLE_AUDITOR, "auditor"},            {ROLE_ADMIN, "admin"},
    {ROLE_CHAIR, "commission-chair"},     {ROLE_SECRETARY, "commission-secretary"},
    {ROLE_APPROVER, "akimat-approver"},   {ROLE_AGENCY, "agency-officer"},
};

enum role role_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof(roles) / sizeof(roles[0]); i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].role;
    return ROLE_NONE;
}

const char *role_name(enum role r)
{
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (roles[i].role == r)
            return roles[i].name;
    return "";
}

int role_needs_region(enum role r)
{
    return r == ROLE_OFFICIAL || r == ROLE_CHAIR || r == ROLE_SECRETARY || r == ROLE_APPROVER ||
           r == ROLE_AGENCY;
}
