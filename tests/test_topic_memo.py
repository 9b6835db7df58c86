"""Each item's topics, taken from the build cache's per-list memo when the list and the topics registry are
unchanged (pages/site.py `topics_of_items`), and matched again otherwise."""
from types import SimpleNamespace

from archive.pages.site import Topic, TopicMatcher, topics_of_items

TOPICS = [Topic("yanglao", "养老", "", ("养老", "老年")), Topic("jiaoyu", "教育", "", ("学校", "教育")),
          Topic("lao", "老城", "", ("老城",))]


class Memo:
    """What `cache.ItemDigests` offers: get and put by list id."""

    def __init__(self):
        self.known, self.put_calls = {}, []

    def get(self, list_id):
        return self.known.get(list_id)

    def put(self, list_id, value):
        self.put_calls.append(list_id)
        self.known[list_id] = value


def lists():
    titles = [["新建养老院", "学校改造", "老城养老服务"], ["道路硬化"]]
    return [SimpleNamespace(id=f"l{n}", items=[SimpleNamespace(id=f"l{n}-{k}", category="民生", title=t)
                                                for k, t in enumerate(ts)])
            for n, ts in enumerate(titles)]


def fresh(topics):
    match = TopicMatcher(topics)
    return {i.id: match(f"{i.category} {i.title}") for lst in lists() for i in lst.items}


def test_the_memo_gives_what_matching_gives_and_is_used_when_it_can_be():
    memo = Memo()
    first = topics_of_items(lists(), TOPICS, memo)
    assert first == fresh(TOPICS) and first["l0-2"] == [TOPICS[0], TOPICS[2]]
    assert memo.put_calls == ["l0", "l1"]
    memo.put_calls.clear()
    assert topics_of_items(lists(), TOPICS, memo) == first and memo.put_calls == []


def test_a_changed_registry_or_list_length_is_matched_again():
    memo = Memo()
    topics_of_items(lists(), TOPICS, memo)
    fewer = TOPICS[:2]
    assert topics_of_items(lists(), fewer, memo) == fresh(fewer)
    memo.known["l0"] = (memo.known["l0"][0], memo.known["l0"][1][:2])     # a list that gained an item
    assert topics_of_items(lists(), fewer, memo) == fresh(fewer)
