"""Kotopolku's translation catalogue: one gettext `.po` file per language.

`<language>/LC_MESSAGES/kotopolku.po` for fi, sv and en. Message ids are stable codes
(`case_not_found`, `notification.deadline_missed.title`, `dashboard.page_title`); texts keep
`{name}` placeholders. `shared.i18n` reads the files; docs/translations.md tells a translator how
to edit them and `import_table` merges a `{code: {"fi", "sv", "en"}}` table into them.
"""
