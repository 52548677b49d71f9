"""Who has a case: a coordinator assigns it to a caseworker (or takes it back), a caseworker takes
an unassigned case of their municipality. The assignee is on the case (case.changed) and the
case's caseworker notifications go to them. Roles: docs/roles.md."""
