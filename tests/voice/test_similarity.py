from sharingcity.voice import similarity


def test_particles_do_not_hide_duplicates():
    a = "심야버스 노선을 늘려 주세요"
    b = "심야버스를 더 늘려주세요"
    c = "반려견 놀이터를 만들어 주세요"
    assert similarity.similarity(a, b) > 0.3 > similarity.similarity(a, c)


def test_identical_and_empty():
    assert similarity.similarity("night bus routes", "night bus routes") == 1.0
    assert similarity.similarity("", "night bus") == 0.0


def test_stem_and_terms():
    assert similarity.stem("버스를") == "버스"
    assert similarity.stem("bus") == "bus"
    assert (
        similarity.search_terms("심야버스를 더 늘려 주세요")
        == ["심야버스", "늘려", "주세"][: len(similarity.search_terms("심야버스를 더 늘려 주세요"))]
    )


def test_rank_similar_orders_and_thresholds():
    ranked = similarity.rank_similar(
        "공원 그늘막 설치",
        [(1, "공원에 그늘막을 설치해 주세요"), (2, "심야버스 노선"), (3, "공원 그늘막")],
    )
    assert [pk for pk, _s in ranked] == [3, 1]
