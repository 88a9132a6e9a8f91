"""Full-text index on PostgreSQL (SQLite falls back to substring search) and the default
proposal categories."""

from django.db import migrations

CATEGORIES = [
    ("transport", "교통", "Transport"),
    ("housing", "주택", "Housing"),
    ("welfare", "복지", "Welfare"),
    ("environment", "환경", "Environment and climate"),
    ("safety", "안전", "Safety"),
    ("culture", "문화", "Culture and tourism"),
    ("economy", "경제·일자리", "Economy and jobs"),
    ("education", "교육", "Education"),
    ("health", "보건", "Health"),
    ("urban-planning", "도시계획", "Urban planning"),
    ("parks", "공원·녹지", "Parks and green space"),
    ("women-family", "여성·가족", "Women and families"),
    ("sharing", "공유", "Sharing"),
    ("other", "기타", "Other"),
]

INDEX_NAME = "voice_prop_fulltext"

# A stored tsvector lets the planner either walk the "newest first" index and test each row
# cheaply (common words) or use the GIN index (rare words). The column is not on the Django
# model: only the PostgreSQL search path reads it, and PostgreSQL keeps it up to date.
ADD_SQL = [
    "ALTER TABLE voice_proposal ADD COLUMN search_document tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))) STORED",
    f"CREATE INDEX {INDEX_NAME} ON voice_proposal USING gin (search_document)",
]
DROP_SQL = [
    f"DROP INDEX IF EXISTS {INDEX_NAME}",
    "ALTER TABLE voice_proposal DROP COLUMN IF EXISTS search_document",
]


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in ADD_SQL:
            schema_editor.execute(sql)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP_SQL:
            schema_editor.execute(sql)


def add_categories(apps, schema_editor):
    Category = apps.get_model("voice", "Category")
    for order, (code, ko, en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name_ko": ko, "name_en": en, "order": order * 10}
        )


def remove_categories(apps, schema_editor):
    apps.get_model("voice", "Category").objects.filter(
        code__in=[c for c, _k, _e in CATEGORIES], proposal__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("voice", "0001_initial")]

    operations = [
        migrations.RunPython(add_search_index, drop_search_index),
        migrations.RunPython(add_categories, remove_categories),
    ]
