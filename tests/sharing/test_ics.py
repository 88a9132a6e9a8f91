from datetime import UTC, datetime

from sharingcity.sharing import ics


def test_escaping_and_folding():
    assert ics.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "가" * 40  # 3 octets each: must fold without splitting a character
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_calendar_shape():
    e = ics.Event(
        uid="x@y",
        start=datetime(2030, 1, 5, 5, tzinfo=UTC),
        end=datetime(2030, 1, 5, 8, tzinfo=UTC),
        summary="Room, big; nice",
        status="TENTATIVE",
    )
    text = ics.calendar("Cal", [e], now=datetime(2030, 1, 1, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert "DTSTART:20300105T050000Z\r\n" in text and "SUMMARY:Room\\, big\\; nice\r\n" in text
    assert text.endswith("END:VCALENDAR\r\n") and "STATUS:TENTATIVE" in text
