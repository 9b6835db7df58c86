"""The registries as data: they load cleanly and say what the pages will group by."""
from archive.registry import SLUG, load_registry
from contentfixture import ROOT


def registry():
    loaded, problems = load_registry(ROOT / "registry", ROOT)
    assert problems == []
    return loaded


def test_jurisdictions_form_a_tree_with_pinyin_slugs():
    jurisdictions = registry().jurisdictions
    assert jurisdictions["shandong/jining/jining-gaoxinqu"].level == "district"
    assert jurisdictions["shandong/jining/jining-gaoxinqu"].parent == "shandong/jining"
    for path, jurisdiction in jurisdictions.items():
        assert all(SLUG.fullmatch(part) for part in path.split("/"))
        assert jurisdiction.parent is None or jurisdiction.parent in jurisdictions


def test_redacted_city_is_recorded_as_unnamed_not_guessed():
    city = registry().jurisdictions["anhui/unnamed-city"]
    assert city.name == "**市" and "隐去" in city.display_name and city.note


def test_aliases_are_one_department_per_jurisdiction():
    reg = registry()
    pairs = [("shandong/weifang", "市卫健委", "市卫生健康委"), ("shandong/weifang", "市人社局", "市人力资源和社会保障局"),
             ("shandong/weifang", "市市场监管局", "市市场监督管理局"), ("shandong/heze", "市卫健委", "市卫生健康委")]
    for jurisdiction, a, b in pairs:
        assert reg.resolve(jurisdiction, a) is reg.resolve(jurisdiction, b) is not None


def test_redacted_names_resolve_only_with_evidence_in_the_same_document():
    reg = registry()
    assert reg.resolve("anhui/unnamed-city", "****体育局").name == "市教育体育局"
    assert reg.resolve("anhui/unnamed-city", "****保障局").name == "****保障局"


def test_generic_names_are_roles():
    reg = registry()
    for name in ("各级各有关部门单位", "各街道", "各县市区", "各级各部门单位", "市直有关部门"):
        assert reg.is_generic(name), name
    assert not reg.is_generic("市民政局")
